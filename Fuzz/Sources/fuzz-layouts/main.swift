import FuzzSupport
import MappedIO
import TensorBundle
import Verification

// What a SavedModel directory and a foreign file can hold: any bytes as `saved_model.pb` and as
// `fingerprint.pb` of a SavedModel whose variables are a real export's (the graph's framing, the
// fingerprint's checkpoint_hash against FarmHash of the variables index), and as a file the
// tools name for what it is (Keras HDF5 and zip archives, PyTorch, safetensors).
let model = Path.join(FuzzWorkspace.scratch, "model")
try FileSystem.createDirectory(model)
try FileSystem.createDirectory(Path.join(model, "variables"))
let export = Path.join(FuzzWorkspace.fixtures, "layouts/models/mlp/1/variables")
for name in try FileSystem.contents(ofDirectory: export) {
    FuzzWorkspace.write(try FuzzWorkspace.read(Path.join(export, name)), to: Path.join(Path.join(model, "variables"), name))
}
let savedModel = SavedModel(directory: model)!
let foreignNames = ["mlp.weights.h5", "mlp.keras", "model.safetensors", "pytorch_model.bin"]

FuzzWorkspace.run(seeds: {
    let layouts = Path.join(FuzzWorkspace.fixtures, "layouts")
    return try FuzzWorkspace.files(under: layouts) {
        $0 == SavedModel.graphFileName || $0 == SavedModel.fingerprintFileName || $0.hasPrefix("mlp.")
    }.map(FuzzWorkspace.read)
}) { input in
    FuzzWorkspace.write(input, to: savedModel.graph)
    FuzzWorkspace.write(input, to: savedModel.fingerprint)
    let report = Verifier().verify(savedModel: savedModel)
    if SavedModel.framingProblem(ofGraph: input) != nil {
        precondition(report.findings.contains { $0.file == savedModel.graph }, "a badly framed graph passed")
    }
    for name in foreignNames {
        let path = Path.join(FuzzWorkspace.scratch, name)
        FuzzWorkspace.write(input, to: path)
        _ = ForeignFormat.identify(path).map(String.init(describing:))
    }
}
