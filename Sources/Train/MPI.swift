// Open MPI, loaded at run time.
//
// vidgen does not link MPI: a process started by Open MPI's `mpirun` (which sets
// OMPI_COMM_WORLD_SIZE before the process starts) opens libmpi.so.40 with dlopen and
// looks up the few calls data-parallel training needs. A single process never touches
// MPI, so building and training on one machine need no MPI package at all.
//
// The handles are Open MPI's (its ABI, stable across 4.x and 5.x): MPI_COMM_WORLD and
// MPI_FLOAT are the addresses of the library's predefined objects `ompi_mpi_comm_world`
// and `ompi_mpi_float`. Only bytes move through MPI: every sum is done by vidgen in a
// fixed order (see DataParallel.swift), never by an MPI reduction.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

import Tensor

/// The calls of one Open MPI library, opened with dlopen.
final class MPI {
    typealias Handle = UnsafeMutableRawPointer
    private typealias InitThread = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int32,
                                                   UnsafeMutablePointer<Int32>) -> Int32
    private typealias Finalize = @convention(c) () -> Int32
    private typealias Barrier = @convention(c) (Handle) -> Int32
    private typealias CommInt = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    private typealias Allgather = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer, Int32,
                                                  Handle, Handle) -> Int32
    private typealias Allgatherv = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer,
                                                   UnsafePointer<Int32>, UnsafePointer<Int32>, Handle, Handle) -> Int32
    private typealias Alltoallv = @convention(c) (UnsafeRawPointer, UnsafePointer<Int32>, UnsafePointer<Int32>, Handle,
                                                  UnsafeMutableRawPointer, UnsafePointer<Int32>, UnsafePointer<Int32>,
                                                  Handle, Handle) -> Int32

    /// The library file: Debian's openmpi-bin brings it (package libopenmpi3).
    static let library = "libmpi.so.40"

    let world: Handle
    let float: Handle
    let byte: Handle
    private let finalizeCall: Finalize
    private let barrierCall: Barrier
    private let allgatherCall: Allgather
    private let allgathervCall: Allgatherv
    private let alltoallvCall: Alltoallv
    let rank: Int
    let size: Int

    /// Opens the library and initializes MPI (calls come from one thread only).
    init() throws {
        guard let lib = dlopen(MPI.library, RTLD_NOW | RTLD_GLOBAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw VidgenError("started by mpirun, but Open MPI's \(MPI.library) cannot be loaded (\(reason)); install openmpi-bin")
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let p = dlsym(lib, name) else {
                throw VidgenError("\(MPI.library) has no '\(name)': vidgen needs Open MPI 4 or 5")
            }
            return p
        }
        func call<F>(_ name: String, as: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: F.self) }
        world = try symbol("ompi_mpi_comm_world")
        float = try symbol("ompi_mpi_float")
        byte = try symbol("ompi_mpi_byte")
        let initThread = try call("MPI_Init_thread", as: InitThread.self)
        finalizeCall = try call("MPI_Finalize", as: Finalize.self)
        barrierCall = try call("MPI_Barrier", as: Barrier.self)
        allgatherCall = try call("MPI_Allgather", as: Allgather.self)
        allgathervCall = try call("MPI_Allgatherv", as: Allgatherv.self)
        alltoallvCall = try call("MPI_Alltoallv", as: Alltoallv.self)
        let commRank = try call("MPI_Comm_rank", as: CommInt.self)
        let commSize = try call("MPI_Comm_size", as: CommInt.self)
        var provided: Int32 = 0
        // MPI_THREAD_FUNNELED (1): vidgen's worker threads compute, only the main thread calls MPI.
        guard initThread(nil, nil, 1, &provided) == 0 else { throw VidgenError("MPI_Init_thread failed") }
        var r: Int32 = 0, s: Int32 = 0
        _ = commRank(world, &r)
        _ = commSize(world, &s)
        (rank, size) = (Int(r), Int(s))
    }

    /// Every rank's `count` bytes of `send`, in rank order.
    func allgather(_ send: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: send.count * size)
        send.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { o in
                check(allgatherCall(s.baseAddress!, Int32(send.count), byte, o.baseAddress!, Int32(send.count), byte, world),
                      "MPI_Allgather")
            }
        }
        return out
    }

    /// Rank j receives `send[offsets[j] ..< offsets[j] + counts[j]]` from every rank, rank i's
    /// at `receive[i · counts[rank]]`.
    func alltoallv(_ send: UnsafePointer<Float>, counts: [Int32], offsets: [Int32], into receive: UnsafeMutablePointer<Float>) {
        let mine = counts[rank]
        let rcounts = [Int32](repeating: mine, count: size)
        let roffsets = (0..<size).map { Int32($0) * mine }
        check(alltoallvCall(send, counts, offsets, float, receive, rcounts, roffsets, float, world), "MPI_Alltoallv")
    }

    /// Every rank's `chunk` (counts[rank] floats) placed at its offset in `out`.
    func allgatherv(_ chunk: UnsafePointer<Float>, counts: [Int32], offsets: [Int32], into out: UnsafeMutablePointer<Float>) {
        check(allgathervCall(chunk, counts[rank], float, out, counts, offsets, float, world), "MPI_Allgatherv")
    }

    /// Returns once every rank has called it.
    func barrier() { check(barrierCall(world), "MPI_Barrier") }

    /// Ends MPI; the last call of a rank that leaves with the others.
    func finalize() { _ = finalizeCall() }

    /// MPI's default error handler ends the job before a call returns an error; one that
    /// returns anyway leaves nothing sensible to do but stop.
    private func check(_ code: Int32, _ name: String) {
        if code != 0 {
            fputs("error: \(name) failed with code \(code) on rank \(rank)\n", stderr)
            exit(1)
        }
    }
}
