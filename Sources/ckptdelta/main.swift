import CheckpointCLI

DeltaCommand.runAsTool()
