import CheckpointCLI

DeltaCommand.runAsTool(name: "ckptdelta")
