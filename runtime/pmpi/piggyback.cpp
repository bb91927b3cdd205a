#include "piggyback.hpp"

#include <array>
#include <cstring>

namespace cairn::detail {

namespace {

// A predefined type whose elements are dense (size == extent, lb == 0): memcpy == MPI_Pack.
// Asks MPI (four calls); used for the table below and for types not in it.
bool query_dense_named(MPI_Datatype dt, int* size) {
    int ni = 0;
    int na = 0;
    int nd = 0;
    int combiner = 0;
    PMPI_Type_get_envelope(dt, &ni, &na, &nd, &combiner);
    if (combiner != MPI_COMBINER_NAMED) return false;
    MPI_Aint lb = 0;
    MPI_Aint extent = 0;
    PMPI_Type_get_extent(dt, &lb, &extent);
    PMPI_Type_size(dt, size);
    return lb == 0 && extent == *size;
}

}  // namespace

predefined_types predefined_type_table;  // NOLINT: process-wide by nature

void predefined_types::build() {
    // The most frequent first: lookups scan linearly.
    const MPI_Datatype types[] = {MPI_BYTE,
                                  MPI_CHAR,
                                  MPI_DOUBLE,
                                  MPI_INT,
                                  MPI_FLOAT,
                                  MPI_LONG,
                                  MPI_UNSIGNED_CHAR,
                                  MPI_UNSIGNED,
                                  MPI_LONG_LONG,
                                  MPI_UNSIGNED_LONG,
                                  MPI_UNSIGNED_LONG_LONG,
                                  MPI_INT64_T,
                                  MPI_UINT64_T,
                                  MPI_INT32_T,
                                  MPI_UINT32_T,
                                  MPI_PACKED,
                                  MPI_SHORT,
                                  MPI_UNSIGNED_SHORT,
                                  MPI_SIGNED_CHAR,
                                  MPI_INT8_T,
                                  MPI_UINT8_T,
                                  MPI_INT16_T,
                                  MPI_UINT16_T,
                                  MPI_C_BOOL,
                                  MPI_WCHAR,
                                  MPI_LONG_DOUBLE,
                                  MPI_C_FLOAT_COMPLEX,
                                  MPI_C_DOUBLE_COMPLEX,
                                  MPI_AINT,
                                  MPI_OFFSET,
                                  MPI_COUNT,
                                  MPI_INTEGER,
                                  MPI_REAL,
                                  MPI_DOUBLE_PRECISION,
                                  MPI_CHARACTER,
                                  MPI_LOGICAL,
                                  MPI_COMPLEX,
                                  MPI_DOUBLE_COMPLEX};
    std::size_t k = 0;
    for (const MPI_Datatype t : types) {
        if (t == MPI_DATATYPE_NULL || k == max_types) continue;
        int size = 0;
        type_facts f;
        f.known = true;
        f.dense = query_dense_named(t, &size);
        if (!f.dense) PMPI_Type_size(t, &size);
        f.size = size;
        handle[k] = t;
        facts[k] = f;
        ++k;
    }
    n = k;
}

namespace {

bool dense_named(MPI_Datatype dt, int* size) {
    const type_facts f = facts_of(dt);
    if (f.known) {
        *size = f.size;
        return f.dense;
    }
    return query_dense_named(dt, size);
}

}  // namespace

bool dense_type(MPI_Datatype dt) {
    int size = 0;
    return dense_named(dt, &size);
}

std::int64_t data_bytes(int count, MPI_Datatype dt) {
    const type_facts f = facts_of(dt);
    if (f.known) return static_cast<std::int64_t>(f.size) * count;
    MPI_Count size = 0;
    PMPI_Type_size_x(dt, &size);
    return static_cast<std::int64_t>(size) * count;
}

void pack_message(const msg_header& h, const void* buf, int count, MPI_Datatype dt, MPI_Comm comm,
                  std::vector<unsigned char>& out) {
    int esize = 0;
    if (dense_named(dt, &esize)) {
        const std::size_t n = static_cast<std::size_t>(esize) * static_cast<std::size_t>(count);
        out.resize(header_bytes + n);
        std::memcpy(out.data(), &h, header_bytes);
        if (n > 0) std::memcpy(out.data() + header_bytes, buf, n);
        return;
    }
    int psize = 0;
    PMPI_Pack_size(count, dt, comm, &psize);
    out.resize(static_cast<std::size_t>(header_bytes + psize));
    std::memcpy(out.data(), &h, header_bytes);
    int pos = header_bytes;
    PMPI_Pack(buf, count, dt, out.data(), static_cast<int>(out.size()), &pos, comm);
    out.resize(static_cast<std::size_t>(pos));
}

int packed_capacity(int count, MPI_Datatype dt, MPI_Comm comm) {
    const type_facts f = facts_of(dt);
    if (f.known && f.dense) return header_bytes + f.size * count;  // MPI_Pack is a memcpy
    int psize = 0;
    PMPI_Pack_size(count, dt, comm, &psize);
    return header_bytes + psize;
}

std::int64_t unpack_message(const unsigned char* in, int nbytes, msg_header& h, void* buf,
                            int count, MPI_Datatype dt, MPI_Comm comm) {
    if (nbytes < header_bytes) return -1;
    std::memcpy(&h, in, header_bytes);
    const int payload = nbytes - header_bytes;
    if (payload == 0) return 0;
    int esize = 0;
    if (dense_named(dt, &esize)) {
        std::memcpy(buf, in + header_bytes, static_cast<std::size_t>(payload));
        return payload;
    }
    int tsize = 0;
    PMPI_Type_size(dt, &tsize);
    const int elems = tsize > 0 ? payload / tsize : 0;
    int pos = header_bytes;
    PMPI_Unpack(in, nbytes, &pos, buf, elems < count ? elems : count, dt, comm);
    return payload;
}

std::vector<unsigned char> pack_payload(const void* buf, std::int64_t payload_bytes, int count,
                                        MPI_Datatype dt, MPI_Comm comm) {
    std::vector<unsigned char> out;
    int esize = 0;
    if (dense_named(dt, &esize)) {
        out.resize(static_cast<std::size_t>(payload_bytes));
        if (payload_bytes > 0) std::memcpy(out.data(), buf, out.size());
        return out;
    }
    int tsize = 0;
    PMPI_Type_size(dt, &tsize);
    int elems = tsize > 0 ? static_cast<int>(payload_bytes / tsize) : 0;
    if (elems > count) elems = count;
    int psize = 0;
    PMPI_Pack_size(elems, dt, comm, &psize);
    out.resize(static_cast<std::size_t>(psize));
    int pos = 0;
    PMPI_Pack(buf, elems, dt, out.data(), psize, &pos, comm);
    out.resize(static_cast<std::size_t>(pos));
    return out;
}

int unpack_payload(const std::vector<unsigned char>& payload, void* buf, int count, MPI_Datatype dt,
                   MPI_Comm comm) {
    const std::int64_t cap = data_bytes(count, dt);
    if (static_cast<std::int64_t>(payload.size()) > cap) return MPI_ERR_TRUNCATE;
    if (payload.empty()) return MPI_SUCCESS;
    int esize = 0;
    if (dense_named(dt, &esize)) {
        std::memcpy(buf, payload.data(), payload.size());
        return MPI_SUCCESS;
    }
    int tsize = 0;
    PMPI_Type_size(dt, &tsize);
    const int elems = tsize > 0 ? static_cast<int>(payload.size()) / tsize : 0;
    int pos = 0;
    PMPI_Unpack(payload.data(), static_cast<int>(payload.size()), &pos, buf, elems, dt, comm);
    return MPI_SUCCESS;
}

MPI_Datatype header_struct_type(const msg_header* h, const void* buf, int count, MPI_Datatype dt) {
    int lens[2] = {header_bytes, count};
    MPI_Aint disp[2] = {0, 0};
    PMPI_Get_address(h, &disp[0]);
    PMPI_Get_address(buf, &disp[1]);
    MPI_Datatype types[2] = {MPI_BYTE, dt};
    MPI_Datatype out = MPI_DATATYPE_NULL;
    PMPI_Type_create_struct(2, lens, disp, types, &out);
    PMPI_Type_commit(&out);
    return out;
}

}  // namespace cairn::detail
