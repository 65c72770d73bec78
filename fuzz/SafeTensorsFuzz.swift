// libFuzzer entry point: the safetensors parser must throw, never trap, on any bytes.
// Built by fuzz/run.sh together with the safetensors sources it lists.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let file = try? SafeTensors.decode(bytes) {
        // Whatever parses must encode again and parse to the same tensors (the writer
        // orders tensors by name, so compare by name).
        let again = try! SafeTensors.decode(try! SafeTensors.encode(file.entries, metadata: file.metadata))
        for entry in file.entries {
            precondition(again[entry.name]?.shape == entry.shape, "round trip changed tensor '\(entry.name)'")
        }
        precondition(again.entries.count == file.entries.count && again.metadata == file.metadata, "round trip changed the file")
    }
    return 0
}
