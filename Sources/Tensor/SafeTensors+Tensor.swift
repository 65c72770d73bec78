// Bridges between tensors and safetensors entries.

extension Tensor {
    /// The tensor stored in `entry`.
    public init(_ entry: SafeTensorsEntry) {
        self.init(shape: entry.shape, values: entry.values)
    }

    /// This tensor as an entry named `name`.
    public func entry(_ name: String) -> SafeTensorsEntry {
        SafeTensorsEntry(name: name, shape: shape, values: values)
    }
}
