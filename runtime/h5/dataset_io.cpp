#include "h5/dataset_io.hpp"

#include "h5/format.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace cairn::detail::h5 {

plist contiguous_dcpl() {
    plist dcpl(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dcpl");
    check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), "H5Pset_layout");
    check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
    return dcpl;
}

plist deflate_dcpl(const std::vector<hsize_t>& dims, std::size_t elem_size, int level) {
    for (hsize_t d : dims) {
        if (d == 0) return contiguous_dcpl();
    }
    constexpr std::size_t chunk_target = std::size_t{1} << 20;
    const hsize_t budget = std::max<hsize_t>(1, chunk_target / std::max<std::size_t>(1, elem_size));
    std::vector<hsize_t> chunk(dims);
    hsize_t inner = 1;  // elements of one chunk in the dimensions after i
    for (std::size_t i = dims.size(); i-- > 0;) {
        if (inner * dims[i] <= budget) {
            inner *= dims[i];
            continue;
        }
        chunk[i] = std::max<hsize_t>(1, budget / inner);
        for (std::size_t j = 0; j < i; ++j) chunk[j] = 1;
        break;
    }
    plist dcpl(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate dcpl");
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "H5Pset_chunk");
    check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), "H5Pset_fill_time");
    check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
    check(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(level)), "H5Pset_deflate");
    return dcpl;
}

dataset create_dataset(hid_t fid, const std::string& path, hid_t ftype,
                       const std::vector<hsize_t>& dims, hid_t dcpl) {
    dataspace space = simple_space(dims);
    return {H5Dcreate2(fid, path.c_str(), ftype, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT),
            "H5Dcreate2 " + path};
}

void write_table(hid_t fid, const std::string& path, const std::vector<hsize_t>& dims,
                 const std::vector<std::uint64_t>& values, int rank, hid_t dcpl,
                 deferred_failure& failure) {
    dataset ds = create_dataset(fid, path, H5T_STD_U64LE, dims, dcpl);
    hsize_t n = 1;
    for (hsize_t d : dims) n *= d;
    if (n == 0 || rank != 0) return;  // no storage address, or not the writing rank
    if (values.size() != n) {
        failure.note(path + ": " + std::to_string(values.size()) + " values for " +
                     std::to_string(n) + " elements");
        return;
    }
    failure.run([&] {
        dataspace mem = simple_space({values.size()});
        check(H5Dwrite(ds.get(), H5T_NATIVE_UINT64, mem.get(), H5S_ALL, H5P_DEFAULT, values.data()),
              "H5Dwrite " + path);
    });
}

std::string hex(std::uint64_t v) {
    char s[24];
    std::snprintf(s, sizeof s, "0x%016" PRIx64, v);
    return s;
}

}  // namespace cairn::detail::h5
