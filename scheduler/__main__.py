from scheduler.cli_loading import main

main()
