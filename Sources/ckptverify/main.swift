import CheckpointCLI

VerifyCommand.runAsTool(name: "ckptverify")
