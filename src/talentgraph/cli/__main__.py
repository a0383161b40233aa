from talentgraph.cli.main import main

main()
