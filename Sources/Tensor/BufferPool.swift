// Reuse of large tensor buffers across training steps.
//
// A training step frees and reallocates the same large activations every step. Fresh
// large allocations come from the kernel as new mappings and cost a page fault per
// 4 KiB on first touch — about 15% of a model-sized sgemm. The pool keeps freed
// buffers by element count and hands them back to the next request of that size.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    /// Buffers smaller than this go straight to the allocator.
    let minPooledCount = 4096
    /// The pool never holds more than this many bytes of idle buffers.
    let maxIdleBytes = 1 << 30

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var idleBytes = 0
    private var mutex = pthread_mutex_t()

    private init() { pthread_mutex_init(&mutex, nil) }

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        if count >= minPooledCount {
            pthread_mutex_lock(&mutex)
            if let p = free[count]?.popLast() {
                idleBytes -= count * 4
                pthread_mutex_unlock(&mutex)
                return p
            }
            pthread_mutex_unlock(&mutex)
        }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if count >= minPooledCount {
            pthread_mutex_lock(&mutex)
            if idleBytes + count * 4 <= maxIdleBytes {
                free[count, default: []].append(p)
                idleBytes += count * 4
                pthread_mutex_unlock(&mutex)
                return
            }
            pthread_mutex_unlock(&mutex)
        }
        UnsafeMutableRawPointer(p).deallocate()
    }
}
