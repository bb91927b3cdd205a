// cairn: application-level checkpoint/restart for MPI jobs (C++ API).
//
// Typical use (in main(); on 4 ranks, this rank owns rows [oy, oy+ly) and columns [ox, ox+lx) of
// the ny x nx grid; the test doc_examples compiles it):
// ```cpp
// cairn::init(&argc, &argv);
// int rank = 0;
// MPI_Comm_rank(MPI_COMM_WORLD, &rank);
// const std::uint64_t ny = 64, nx = 64, ly = 16, lx = 64, oy = ly * rank, ox = 0;
// std::vector<double> grid(ly * lx);
// std::uint64_t step = 0;
// cairn::register_scalar("step", step);
// cairn::register_distributed("grid", grid.data(), {{ny, nx}, {oy, ox}, {ly, lx}});
// cairn::restore();                 // loads the newest valid checkpoint, if any
// while (step < 100) {
//     for (double& v : grid) v += 1.0;  // compute
//     ++step;
//     cairn::safe_point();
//     if (cairn::exit_requested()) break;
// }
// cairn::finalize();                // registered memory must stay valid until here
// ```
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cairn {

/// Element type of a registered buffer. Values are stable (stored in files and used by the C API).
enum class type : int {
    int8 = 1,
    uint8 = 2,
    int16 = 3,
    uint16 = 4,
    int32 = 5,
    uint32 = 6,
    int64 = 7,
    uint64 = 8,
    float32 = 9,
    float64 = 10,
    byte = 11,  ///< opaque bytes (stored as uint8)
};

/// Size in bytes of one element of `t`.
std::size_t type_size(type t);

/// Lower-case name of `t` as stored in checkpoint files ("float64", ...).
const char* type_name(type t);

/// Maps a C++ arithmetic type to its cairn::type.
template <class T>
constexpr type type_of() {
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, double>) return type::float64;
    else if constexpr (std::is_same_v<U, float>) return type::float32;
    else if constexpr (std::is_same_v<U, std::byte>) return type::byte;
    else if constexpr (std::is_same_v<U, bool>) return type::uint8;
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 1) return type::int8;
    else if constexpr (std::is_integral_v<U> && std::is_unsigned_v<U> && sizeof(U) == 1) return type::uint8;
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 2) return type::int16;
    else if constexpr (std::is_integral_v<U> && std::is_unsigned_v<U> && sizeof(U) == 2) return type::uint16;
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 4) return type::int32;
    else if constexpr (std::is_integral_v<U> && std::is_unsigned_v<U> && sizeof(U) == 4) return type::uint32;
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U> && sizeof(U) == 8) return type::int64;
    else if constexpr (std::is_integral_v<U> && std::is_unsigned_v<U> && sizeof(U) == 8) return type::uint64;
    else static_assert(sizeof(U) == 0, "cairn: unsupported element type");
}

/// Every error cairn reports; what() names the rank, the host and what was being done.
class error : public std::runtime_error {
public:
    /// Creates an error with a fully formatted message.
    explicit error(const std::string& what) : std::runtime_error(what) {}
};

/// Options for init(); every field may also come from the environment or a config file.
struct init_options {
    /// Communicator whose ranks take part (duplicated internally; never used for cairn traffic).
    MPI_Comm comm = MPI_COMM_WORLD;
    /// Application name recorded in checkpoints; default: basename of argv[0], else "app".
    std::string app_name;
    /// Run key recorded in checkpoints with app_name; restore() refuses a checkpoint whose app
    /// name or run key differs (docs/configuration.md, "Run identity"). Unset: the command-line
    /// arguments after the program name, joined by single spaces. The `run_key` setting
    /// (CAIRN_RUN_KEY, config file) overrides this field. Set it to what defines the run (input
    /// file, physical parameters) when some arguments, such as a step count, may change
    /// between restarts.
    std::optional<std::string> run_key;
    /// Config file to read ("" = $CAIRN_CONFIG if set, else none).
    std::string config_file;
    /// When init() initialises MPI: the thread level the application needs, as it would pass to
    /// MPI_Init_thread. The default is what MPI_Init gives; set MPI_THREAD_MULTIPLE if threads of
    /// the application call MPI at the same time. Ignored when MPI is already initialised (the
    /// level the application asked of MPI_Init_thread counts then).
    int thread_level = MPI_THREAD_SINGLE;
};

/// Initialises cairn (collective over opts.comm). Calls MPI_Init_thread with opts.thread_level if
/// MPI is not yet initialised (and then MPI_Finalize in finalize()). Throws cairn::error on a bad
/// configuration.
void init(int* argc = nullptr, char*** argv = nullptr, const init_options& opts = {});

/// Waits for outstanding checkpoint work and releases cairn (collective). Safe to call twice.
void finalize();

/// True between init() and finalize().
bool initialized();

/// Registers `count` elements at `data` owned by this rank alone ("per-rank buffer").
/// Counts may differ between ranks. The memory must stay valid until finalize().
void register_buffer(std::string_view name, void* data, type t, std::size_t count);

/// Typed convenience overload of register_buffer().
template <class T>
void register_buffer(std::string_view name, T* data, std::size_t count) {
    register_buffer(name, static_cast<void*>(data), type_of<T>(), count);
}

/// Registers one value (a per-rank buffer of one element).
template <class T>
void register_scalar(std::string_view name, T& value) {
    register_buffer(name, static_cast<void*>(&value), type_of<T>(), 1);
}

/// Describes this rank's part of a distributed array (1 to 3 dimensions, row-major).
struct array_layout {
    std::vector<std::uint64_t> global_shape;  ///< shape of the whole array (same on every rank)
    std::vector<std::uint64_t> offset;        ///< where this rank's block starts in the array
    std::vector<std::uint64_t> extent;        ///< this rank's block size (may be 0 in a dimension)
    /// Shape of the local memory holding the block (e.g. with halo cells); empty = extent.
    std::vector<std::uint64_t> memory_shape;
    /// Position of the block inside the local memory; empty = all zeros.
    std::vector<std::uint64_t> memory_offset;
};

/// Registers a distributed array: stored as one global dataset, each rank writing its block.
void register_distributed(std::string_view name, void* data, type t, const array_layout& layout);

/// Typed convenience overload of register_distributed().
template <class T>
void register_distributed(std::string_view name, T* data, const array_layout& layout) {
    register_distributed(name, static_cast<void*>(data), type_of<T>(), layout);
}

/// Registers a resizable per-rank buffer. At each checkpoint cairn calls `current()` for the
/// data pointer and element count; on restore it calls `resize(saved count)` and reads into the
/// pointer it returns. The count may differ between checkpoints and ranks (restart needs the
/// same rank count). In non-blocking mode with staging_prefault on, `current()` is also called at
/// the first safe point after the registration changed, for the size of the staging memory.
void register_resizable(std::string_view name, type t,
                        std::function<std::pair<void*, std::size_t>()> current,
                        std::function<void*(std::size_t count)> resize);

/// Registers a std::vector as a resizable buffer (see register_resizable()). The vector must
/// outlive finalize(); restore() resizes it to the saved length.
template <class T>
void register_vector(std::string_view name, std::vector<T>& v) {
    register_resizable(
        name, type_of<T>(),
        [&v] { return std::pair<void*, std::size_t>(static_cast<void*>(v.data()), v.size()); },
        [&v](std::size_t n) -> void* {
            v.resize(n);
            return static_cast<void*>(v.data());
        });
}

/// Output byte stream handed to an object's save callback.
class byte_writer {
public:
    /// Appends to `out` (created by cairn).
    explicit byte_writer(std::vector<unsigned char>& out) : out_(&out) {}
    /// Appends `n` bytes from `p`.
    void write(const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        out_->insert(out_->end(), b, b + n);
    }
    /// Appends the bytes of a trivially copyable value (host byte order).
    template <class T>
    void put(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>, "cairn::byte_writer::put needs a trivially copyable type");
        write(&v, sizeof v);
    }
    /// Appends a string as a 64-bit length followed by its bytes.
    void put_string(std::string_view s) {
        put(static_cast<std::uint64_t>(s.size()));
        write(s.data(), s.size());
    }
    /// Bytes written so far.
    [[nodiscard]] std::size_t size() const { return out_->size(); }

private:
    std::vector<unsigned char>* out_;
};

/// Input byte stream handed to an object's load callback.
class byte_reader {
public:
    /// Reads `n` bytes at `p` (created by cairn); `object` and `rank` name the stream in errors.
    byte_reader(const unsigned char* p, std::size_t n, std::string object, int rank)
        : p_(p), n_(n), object_(std::move(object)), rank_(rank) {}
    /// Copies the next `n` bytes to `dst`; throws cairn::error if fewer are left.
    void read(void* dst, std::size_t n) {
        if (n > n_ - pos_) {
            throw error("stream for object '" + object_ + "' on rank " + std::to_string(rank_) +
                        " ended early: wanted " + std::to_string(n) + " bytes at offset " +
                        std::to_string(pos_) + " of " + std::to_string(n_));
        }
        if (n > 0) std::memcpy(dst, p_ + pos_, n);
        pos_ += n;
    }
    /// Reads a trivially copyable value written by byte_writer::put().
    template <class T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>, "cairn::byte_reader::get needs a trivially copyable type");
        T v;
        read(&v, sizeof v);
        return v;
    }
    /// Reads a string written by byte_writer::put_string().
    std::string get_string() {
        const auto len = get<std::uint64_t>();
        if (len > n_ - pos_) read(nullptr, static_cast<std::size_t>(len));  // throws
        std::string s(reinterpret_cast<const char*>(p_ + pos_), static_cast<std::size_t>(len));
        pos_ += static_cast<std::size_t>(len);
        return s;
    }
    /// True when every byte has been read.
    [[nodiscard]] bool at_end() const { return pos_ == n_; }
    /// Bytes left to read.
    [[nodiscard]] std::size_t remaining() const { return n_ - pos_; }
    /// Total bytes in the stream.
    [[nodiscard]] std::size_t size() const { return n_; }

private:
    const unsigned char* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
    std::string object_;
    int rank_;
};

/// Registers a named object saved through callbacks. `save` is called at each checkpoint (at the
/// safe point, on the calling thread) and `load` after restore() has read a checkpoint.
/// `format_tag` is stored with the bytes and must match on restore. An exception from `save`
/// means that checkpoint is not committed (the previous one stays valid); an exception from
/// `load`, or a stream that ends early, stops restore() with a cairn::error naming the object
/// and the rank.
void register_object(std::string_view name, std::string_view format_tag,
                     std::function<void(byte_writer&)> save, std::function<void(byte_reader&)> load);

/// Loads the newest valid checkpoint into the registered buffers (collective). Returns true if
/// one was loaded, false if there was none. Falls back to older checkpoints when the newest does
/// not verify; throws cairn::error when a checkpoint does not match the registration.
bool restore();

/// True if restore() loaded a checkpoint in this run.
bool restarted();

/// Marks a point where the registered buffers fully describe the computation (collective in the
/// sense that every rank calls it the same number of times). Checkpoints happen only here.
void safe_point();

/// Takes a checkpoint now (collective). Throws cairn::error if it could not be committed.
void checkpoint_now();

/// Asks for a checkpoint at the next agreed safe point (any rank, not collective).
void request_checkpoint();

/// True once a checkpoint-and-exit request (SIGUSR1, halt) has been carried out; the application
/// should leave its main loop and call finalize().
bool exit_requested();

/// Number of safe_point() calls so far in this run (plus the restored count after a restart).
std::uint64_t safe_point_index();

/// Epoch of the newest committed (or restored) checkpoint; 0 if none.
std::uint64_t epoch();

/// Epochs of the committed checkpoints now in the checkpoint directory (the ones retention
/// keeps), oldest first. A local directory listing, not collective; in non-blocking mode it may
/// already show a checkpoint whose commit epoch() does not report yet. Throws cairn::error if the
/// directory cannot be read.
std::vector<std::uint64_t> committed_epochs();

/// Version string of the library ("0.1.0").
const char* version();

}  // namespace cairn
