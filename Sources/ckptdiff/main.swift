import CheckpointCLI

DiffCommand.runAsTool(name: "ckptdiff")
