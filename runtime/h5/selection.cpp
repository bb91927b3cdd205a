#include "h5/selection.hpp"

#include "h5/format.hpp"

#include <optional>

namespace cairn::detail::h5 {

std::vector<hsize_t> memory_shape(const buffer_desc& b) {
    std::vector<hsize_t> shape(static_cast<std::size_t>(b.ndims));
    bool set = false;
    for (int d = 0; d < b.ndims; ++d) set = set || b.mem_shape[d] != 0;
    for (int d = 0; d < b.ndims; ++d) shape[d] = set ? b.mem_shape[d] : b.extent[d];
    return shape;
}

block_selection select_nothing(hid_t dset) {
    block_selection s{simple_space({1}), dataspace(H5Dget_space(dset), "H5Dget_space")};
    check(H5Sselect_none(s.mem.get()), "H5Sselect_none");
    check(H5Sselect_none(s.file.get()), "H5Sselect_none");
    return s;
}

block_selection select_block(hid_t dset, const buffer_desc& b, std::uint64_t start) {
    if (b.count == 0) return select_nothing(dset);
    dataspace fspace(H5Dget_space(dset), "H5Dget_space");
    if (b.kind == buffer_kind::per_rank) {
        const hsize_t off = start;
        const hsize_t cnt = b.count;
        check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &off, nullptr, &cnt, nullptr),
              "H5Sselect_hyperslab file " + b.name);
        return {simple_space({cnt}), std::move(fspace)};
    }
    const auto off = to_hsize(b.offset.data(), b.ndims);
    const auto ext = to_hsize(b.extent.data(), b.ndims);
    const auto moff = to_hsize(b.mem_offset.data(), b.ndims);
    check(
        H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, off.data(), nullptr, ext.data(), nullptr),
        "H5Sselect_hyperslab file " + b.name);
    dataspace mem = simple_space(memory_shape(b));
    check(H5Sselect_hyperslab(mem.get(), H5S_SELECT_SET, moff.data(), nullptr, ext.data(), nullptr),
          "H5Sselect_hyperslab memory " + b.name);
    return {std::move(mem), std::move(fspace)};
}

std::string transfer_block(bool write, hid_t dset, const buffer_desc& b, std::uint64_t start,
                           hid_t dxpl) {
    std::string failure;
    // A dataset with no elements has no storage address; a transfer would fail on every rank.
    // The dataset shape is the same on every rank, so all ranks skip together.
    {
        dataspace whole(H5Dget_space(dset), "H5Dget_space");
        if (H5Sget_simple_extent_npoints(whole.get()) == 0) return failure;
    }
    std::optional<block_selection> sel;
    try {
        sel = select_block(dset, b, start);
    } catch (const hdf5_error& e) {
        failure = e.detail();
        sel = select_nothing(dset);
    }
    static unsigned char dummy[8];
    void* p = b.data != nullptr && failure.empty() ? b.data : static_cast<void*>(dummy);
    const hid_t mt = mem_type_of(b.elem);
    const herr_t rc = write ? H5Dwrite(dset, mt, sel->mem.get(), sel->file.get(), dxpl, p)
                            : H5Dread(dset, mt, sel->mem.get(), sel->file.get(), dxpl, p);
    if (rc < 0) {
        const std::string stack = take_error_stack();
        if (failure.empty()) {
            failure = std::string(write ? "H5Dwrite" : "H5Dread") + " (HDF5: " + stack + ")";
        }
    }
    return failure;
}

}  // namespace cairn::detail::h5
