import CheckpointCLI

MultiCall.main()
