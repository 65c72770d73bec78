// libFuzzer entry point: the training-config decoder must throw, never trap, on any bytes.
// Built by fuzz/run.sh together with the config sources it lists.

import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    _ = try? TrainConfig.decode(bytes, file: "fuzz.json", overridingPreset: true)
    _ = try? TrainConfig.decode(bytes, file: "fuzz.json", overridingPreset: false)
    return 0
}
