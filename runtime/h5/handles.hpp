// RAII owners for HDF5 identifiers and the checked-call helper. Private to runtime/h5/: no other
// part of cairn sees an hid_t.
#pragma once

#include <cairn/cairn.hpp>

#include <hdf5.h>

#include <string>
#include <utility>

namespace cairn::detail::h5 {

/// An HDF5 call failed; what() holds the context and the HDF5 error stack.
class hdf5_error : public cairn::error {
public:
    /// `detail` is the message without the rank/host prefix (which what() has).
    explicit hdf5_error(const std::string& detail);
    /// The message without the rank/host prefix, for wrapping into another error.
    [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

private:
    std::string detail_;
};

/// Silences HDF5's automatic error printing ("HDF5-DIAG") for the calling thread. Called at every
/// entry into the HDF5 layer; cheap.
void silence_errors() noexcept;

/// Text of the current HDF5 error stack (innermost first), then clears the stack.
std::string take_error_stack();

/// Throws hdf5_error("<what>: <HDF5 error stack>") with rank/host context.
[[noreturn]] void throw_hdf5_error(const std::string& what);

/// Returns `r` unless it is negative (an HDF5 failure), in which case throws hdf5_error.
template <class R>
R check(R r, const std::string& what) {
    if (r < 0) throw_hdf5_error(what);
    return r;
}

/// Move-only owner of one HDF5 identifier, closed with `Close` in a noexcept destructor.
template <herr_t (*Close)(hid_t)>
class handle {
public:
    /// An empty handle.
    handle() = default;
    /// Takes ownership of `id` (which must be valid); throws hdf5_error with `what` if id < 0.
    handle(hid_t id, const std::string& what) : id_(check(id, what)) {}
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    /// Moves ownership.
    handle(handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
    /// Moves ownership, closing the identifier held before.
    handle& operator=(handle&& o) noexcept {
        if (this != &o) {
            reset();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
        }
        return *this;
    }
    /// Closes the identifier; errors are discarded.
    ~handle() { reset(); }

    /// The identifier (still owned by this handle).
    [[nodiscard]] hid_t get() const noexcept { return id_; }
    /// True when an identifier is held.
    explicit operator bool() const noexcept { return id_ >= 0; }

    /// Closes now and reports failure (for the calls where closing does real work, e.g. files).
    void close(const std::string& what) {
        if (id_ < 0) return;
        const hid_t id = std::exchange(id_, H5I_INVALID_HID);
        check(Close(id), what);
    }
    /// Closes now, ignoring failure.
    void reset() noexcept {
        if (id_ >= 0) {
            (void)Close(std::exchange(id_, H5I_INVALID_HID));
            H5Eclear2(H5E_DEFAULT);
        }
    }

private:
    hid_t id_ = H5I_INVALID_HID;
};

using file = handle<H5Fclose>;       ///< H5Fcreate / H5Fopen
using group = handle<H5Gclose>;      ///< H5Gcreate2 / H5Gopen2
using dataset = handle<H5Dclose>;    ///< H5Dcreate2 / H5Dopen2
using dataspace = handle<H5Sclose>;  ///< H5Screate* / H5Dget_space / H5Aget_space
using datatype = handle<H5Tclose>;   ///< H5Tcopy / H5Dget_type / H5Aget_type
using plist = handle<H5Pclose>;      ///< H5Pcreate
using attribute = handle<H5Aclose>;  ///< H5Acreate2 / H5Aopen

}  // namespace cairn::detail::h5
