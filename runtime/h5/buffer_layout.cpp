#include "h5/buffer_layout.hpp"

#include "h5/attributes.hpp"
#include "h5/format.hpp"

#include <string>

namespace cairn::detail::h5 {

void create_file_groups(hid_t fid) {
    for (const char* g : {data_group, cairn_group, index_group, layout_group, checksum_group}) {
        group(H5Gcreate2(fid, g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              std::string("H5Gcreate2 ") + g);
    }
}

std::vector<hsize_t> stored_dims(const buffer_desc& b, const block_table& t) {
    if (b.kind == buffer_kind::distributed) return to_hsize(b.global.data(), b.ndims);
    return {t.prefix().back()};
}

dataset create_buffer_dataset(hid_t fid, const buffer_desc& b, const std::vector<hsize_t>& dims,
                              hid_t dcpl) {
    dataset ds = create_dataset(fid, object_path(data_group, b.name), file_type_of(b.elem), dims,
                                dcpl);
    write_attr(ds.get(), "kind", std::string(stored_kind_name(b)));
    if (b.object) write_attr(ds.get(), "format", b.format_tag);
    write_attr(ds.get(), "type", std::string(type_name(b.elem)));
    return ds;
}

void write_block_positions(hid_t fid, const buffer_desc& b, const block_table& t, int rank,
                           hid_t dcpl, deferred_failure& failure) {
    const auto nranks = static_cast<hsize_t>(t.counts.size());
    if (b.kind == buffer_kind::per_rank) {
        write_table(fid, object_path(index_group, b.name), {nranks + 1}, t.prefix(), rank, dcpl,
                    failure);
    } else {
        write_table(fid, object_path(layout_group, b.name), {nranks, 2, 3}, t.layout, rank, dcpl,
                    failure);
    }
}

}  // namespace cairn::detail::h5
