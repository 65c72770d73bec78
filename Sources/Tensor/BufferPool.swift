// Reuse of large tensor buffers across training steps, and an account of live tensor memory.
//
// A training step frees and reallocates the same large activations every step. Fresh
// large allocations come from the kernel as new mappings and cost a page fault per
// 4 KiB on first touch — about 15% of a model-sized sgemm. The pool keeps freed
// buffers by element count and hands them back to the next request of that size.
//
// Every tensor buffer, pooled or not, is counted while it is handed out: `liveBytes` is
// the tensor memory in use now and `peakLiveBytes` the most since `resetPeak()`. Buffers
// are taken and given on the calling thread (kernels fill them in parallel but never
// allocate), so the peak of a given computation is the same number every run. Idle
// pooled buffers, kernel scratch and Swift arrays are not tensor memory and not counted.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The process-wide source of tensor storage; also counts live and peak tensor bytes.
public final class BufferPool: @unchecked Sendable {
    /// The one pool every tensor draws from.
    public static let shared = BufferPool()

    /// Buffers smaller than this go straight to the allocator.
    let minPooledCount = 4096
    /// The pool never holds more than this many bytes of idle buffers.
    let maxIdleBytes = 1 << 30

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private var live = 0
    private var peak = 0
    private var mutex = pthread_mutex_t()

    private init() { pthread_mutex_init(&mutex, nil) }

    /// Bytes of tensor storage handed out and not yet given back (4 per element).
    public var liveBytes: Int { locked { live } }

    /// The most `liveBytes` has been since the last `resetPeak()` (or since start).
    public var peakLiveBytes: Int { locked { peak } }

    /// Starts a new peak from the current live bytes.
    public func resetPeak() { locked { peak = live } }

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        pthread_mutex_lock(&mutex)
        live += count * 4
        if live > peak { peak = live }
        if count >= minPooledCount, let p = free[count]?.popLast() {
            idleBytes -= count * 4
            pthread_mutex_unlock(&mutex)
            return p
        }
        pthread_mutex_unlock(&mutex)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        pthread_mutex_lock(&mutex)
        live -= count * 4
        if count >= minPooledCount && idleBytes + count * 4 <= maxIdleBytes {
            free[count, default: []].append(p)
            idleBytes += count * 4
            pthread_mutex_unlock(&mutex)
            return
        }
        pthread_mutex_unlock(&mutex)
        UnsafeMutableRawPointer(p).deallocate()
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
