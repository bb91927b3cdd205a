// Registration of numpy arrays: the array's own memory is what cairn copies at a checkpoint and
// restores into (zero-copy), so only arrays whose memory cairn can address as one block are taken.
#include "python/bindings.hpp"

#include "common/error.hpp"

#include <cairn/cairn.hpp>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace cairn::python {

namespace {

/// cairn's element type of a numpy dtype, or an error naming the supported ones.
type element_type(const std::string& call, const std::string& name, const py::dtype& dt) {
    const char kind = dt.kind();
    const auto size = dt.itemsize();
    const bool native = dt.attr("isnative").cast<bool>();
    auto fail = [&](const std::string& why) {
        return detail::make_error(call + "('" + name + "'): " + why +
                                  "; supported: int8, int16, int32, int64, uint8, uint16, uint32, "
                                  "uint64, float32, float64, bool (in native byte order)");
    };
    if (!native && size > 1)
        throw fail("dtype " + dt.attr("name").cast<std::string>() + " is not in native byte order");
    switch (kind) {
        case 'b':
            return type::uint8;
        case 'i':
            if (size == 1) return type::int8;
            if (size == 2) return type::int16;
            if (size == 4) return type::int32;
            if (size == 8) return type::int64;
            break;
        case 'u':
            if (size == 1) return type::uint8;
            if (size == 2) return type::uint16;
            if (size == 4) return type::uint32;
            if (size == 8) return type::uint64;
            break;
        case 'f':
            if (size == 4) return type::float32;
            if (size == 8) return type::float64;
            break;
        default:
            break;
    }
    throw fail("dtype " + dt.attr("name").cast<std::string>() + " is not supported");
}

/// Refuses arrays cairn cannot checkpoint in place: not C-contiguous, or read-only (restore()
/// writes into the registered memory).
void check_usable(const std::string& call, const std::string& name, const py::array& a) {
    if ((a.flags() & py::array::c_style) == 0) {
        throw detail::make_error(
            call + "('" + name +
            "'): the array is not C-contiguous (a strided "
            "slice, a transposed or Fortran-ordered view); cairn checkpoints the "
            "registered memory in place, so register the array that owns the "
            "memory, or make a contiguous array (numpy.ascontiguousarray) and "
            "compute in that one");
    }
    if (!a.writeable()) {
        throw detail::make_error(call + "('" + name +
                                 "'): the array is read-only; restore() writes "
                                 "into the registered memory, so register a writeable array");
    }
}

void register_array(const std::string& name, py::array a) {
    check_usable("cairn.register", name, a);
    const type t = element_type("cairn.register", name, a.dtype());
    cairn::register_buffer(name, a.mutable_data(), t, static_cast<std::size_t>(a.size()));
}

void register_distributed(const std::string& name, py::array a,
                          const std::vector<std::uint64_t>& global_shape,
                          const std::vector<std::uint64_t>& offset,
                          const std::vector<std::uint64_t>& halo) {
    const std::string call = "cairn.register_distributed";
    check_usable(call, name, a);
    const type t = element_type(call, name, a.dtype());
    const auto nd = static_cast<std::size_t>(a.ndim());
    if (global_shape.size() != nd || offset.size() != nd || halo.size() != nd) {
        throw detail::make_error(call + "('" + name + "'): the array has " + std::to_string(nd) +
                                 " dimensions but global_shape, offset and halo have " +
                                 std::to_string(global_shape.size()) + ", " +
                                 std::to_string(offset.size()) + " and " +
                                 std::to_string(halo.size()));
    }
    array_layout l;
    l.global_shape = global_shape;
    l.offset = offset;
    for (std::size_t d = 0; d < nd; ++d) {
        const auto mem = static_cast<std::uint64_t>(a.shape(static_cast<py::ssize_t>(d)));
        if (2 * halo[d] > mem) {
            std::string what = call;
            what += "('" + name + "'): halo " + std::to_string(halo[d]);
            what += " on both sides of dimension " + std::to_string(d);
            what += " does not fit in the array's " + std::to_string(mem) + " cells";
            throw detail::make_error(what);
        }
        l.memory_shape.push_back(mem);
        l.memory_offset.push_back(halo[d]);
        l.extent.push_back(mem - 2 * halo[d]);
    }
    cairn::register_distributed(name, a.mutable_data(), t, l);
}

}  // namespace

void add_arrays(py::module_& m) {
    m.def("register_array", &register_array, py::arg("name"), py::arg("array").noconvert());
    m.def("register_distributed", &register_distributed, py::arg("name"),
          py::arg("array").noconvert(), py::arg("global_shape"), py::arg("offset"),
          py::arg("halo"));
}

}  // namespace cairn::python
