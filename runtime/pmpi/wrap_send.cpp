// Interposed send calls: every application message carries its sender's color (a 2-byte header) in
// front of its data.
#include "intercept.hpp"
#include "piggyback.hpp"
#include "requests.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

using namespace cairn::detail;

namespace {

int raw_send(send_mode m, const void* b, int n, MPI_Datatype t, int d, int tag, MPI_Comm c) {
    switch (m) {
        case send_mode::sync: return PMPI_Ssend(b, n, t, d, tag, c);
        case send_mode::ready: return PMPI_Rsend(b, n, t, d, tag, c);
        case send_mode::buffered: return PMPI_Bsend(b, n, t, d, tag, c);
        case send_mode::standard: break;
    }
    return PMPI_Send(b, n, t, d, tag, c);
}

int raw_isend(send_mode m, const void* b, int n, MPI_Datatype t, int d, int tag, MPI_Comm c,
              MPI_Request* r) {
    switch (m) {
        case send_mode::sync: return PMPI_Issend(b, n, t, d, tag, c, r);
        case send_mode::ready: return PMPI_Irsend(b, n, t, d, tag, c, r);
        case send_mode::buffered: return PMPI_Ibsend(b, n, t, d, tag, c, r);
        case send_mode::standard: break;
    }
    return PMPI_Isend(b, n, t, d, tag, c, r);
}

int raw_send_init(send_mode m, const void* b, int n, MPI_Datatype t, int d, int tag, MPI_Comm c,
                  MPI_Request* r) {
    switch (m) {
        case send_mode::sync: return PMPI_Ssend_init(b, n, t, d, tag, c, r);
        case send_mode::ready: return PMPI_Rsend_init(b, n, t, d, tag, c, r);
        case send_mode::buffered: return PMPI_Bsend_init(b, n, t, d, tag, c, r);
        case send_mode::standard: break;
    }
    return PMPI_Send_init(b, n, t, d, tag, c, r);
}

int blocking_send(send_mode m, const void* buf, int count, MPI_Datatype dt, int dest, int tag,
                  MPI_Comm comm) {
    const comm_info* ci = intercepted(comm, dest);
    if (ci == nullptr) return raw_send(m, buf, count, dt, dest, tag, comm);
    const msg_header h = protocol::get().on_send(world_of(*ci, dest));
    if (const std::int64_t n = fast_path_bytes(count, dt); n >= 0) {
        // Small dense message: [header | data] built on the stack. A blocking send (Bsend
        // included: it copies) no longer needs the buffer when it returns.
        alignas(8) unsigned char wire[header_bytes + stack_payload];
        std::memcpy(wire, &h, header_bytes);
        copy_small(wire + header_bytes, buf, static_cast<std::size_t>(n));
        return raw_send(m, wire, header_bytes + static_cast<int>(n), MPI_PACKED, dest, tag, comm);
    }
    if (use_packed(data_bytes(count, dt))) {
        thread_local std::vector<unsigned char> bounce;  // NOLINT: reused per thread
        pack_message(h, buf, count, dt, comm, bounce);
        return raw_send(m, bounce.data(), static_cast<int>(bounce.size()), MPI_PACKED, dest, tag,
                        comm);
    }
    MPI_Datatype st = header_struct_type(&h, buf, count, dt);
    const int rc = raw_send(m, MPI_BOTTOM, 1, st, dest, tag, comm);
    PMPI_Type_free(&st);
    return rc;
}

int nonblocking_send(send_mode m, const void* buf, int count, MPI_Datatype dt, int dest, int tag,
                     MPI_Comm comm, MPI_Request* req) {
    const comm_info* ci = intercepted(comm, dest);
    if (ci == nullptr) return raw_isend(m, buf, count, dt, dest, tag, comm, req);
    auto t = std::make_unique<tracked_request>();
    t->what = tracked_request::kind::send;
    t->dest_world = world_of(*ci, dest);
    t->comm = comm;
    const msg_header h = protocol::get().on_send(t->dest_world);
    int rc = MPI_SUCCESS;
    if (use_packed(data_bytes(count, dt))) {
        t->packed = true;
        pack_message(h, buf, count, dt, comm, t->bounce);
        rc = raw_isend(m, t->bounce.data(), static_cast<int>(t->bounce.size()), MPI_PACKED, dest,
                       tag, comm, req);
    } else {
        t->hdr = h;
        t->stype = header_struct_type(&t->hdr, buf, count, dt);
        rc = raw_isend(m, MPI_BOTTOM, 1, t->stype, dest, tag, comm, req);
    }
    if (rc == MPI_SUCCESS) request_table::get().add(*req, std::move(t));
    return rc;
}

int persistent_send(send_mode m, const void* buf, int count, MPI_Datatype dt, int dest, int tag,
                    MPI_Comm comm, MPI_Request* req) {
    if (!intercept(comm, dest)) return raw_send_init(m, buf, count, dt, dest, tag, comm, req);
    auto t = std::make_unique<tracked_request>();
    t->what = tracked_request::kind::send;
    t->persistent = true;
    t->dest_world = world_of(comm, dest);
    t->comm = comm;
    t->ubuf = buf;
    t->ucount = count;
    t->utype = dt;
    int rc = MPI_SUCCESS;
    if (use_packed(data_bytes(count, dt))) {
        // The packed form is rebuilt at every MPI_Start; its size never changes.
        t->packed = true;
        pack_message(msg_header{}, buf, count, dt, comm, t->bounce);
        rc = raw_send_init(m, t->bounce.data(), static_cast<int>(t->bounce.size()), MPI_PACKED,
                           dest, tag, comm, req);
    } else {
        t->stype = header_struct_type(&t->hdr, buf, count, dt);
        rc = raw_send_init(m, MPI_BOTTOM, 1, t->stype, dest, tag, comm, req);
    }
    if (rc == MPI_SUCCESS) request_table::get().add(*req, std::move(t));
    return rc;
}

}  // namespace

extern "C" {

int MPI_Send(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm) {
    return blocking_send(send_mode::standard, buf, count, dt, dest, tag, comm);
}
int MPI_Ssend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm) {
    return blocking_send(send_mode::sync, buf, count, dt, dest, tag, comm);
}
int MPI_Rsend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm) {
    return blocking_send(send_mode::ready, buf, count, dt, dest, tag, comm);
}
int MPI_Bsend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm) {
    return blocking_send(send_mode::buffered, buf, count, dt, dest, tag, comm);
}
int MPI_Isend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
              MPI_Request* req) {
    return nonblocking_send(send_mode::standard, buf, count, dt, dest, tag, comm, req);
}
int MPI_Issend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
               MPI_Request* req) {
    return nonblocking_send(send_mode::sync, buf, count, dt, dest, tag, comm, req);
}
int MPI_Irsend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
               MPI_Request* req) {
    return nonblocking_send(send_mode::ready, buf, count, dt, dest, tag, comm, req);
}
int MPI_Ibsend(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
               MPI_Request* req) {
    return nonblocking_send(send_mode::buffered, buf, count, dt, dest, tag, comm, req);
}
int MPI_Send_init(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
                  MPI_Request* req) {
    return persistent_send(send_mode::standard, buf, count, dt, dest, tag, comm, req);
}
int MPI_Ssend_init(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
    return persistent_send(send_mode::sync, buf, count, dt, dest, tag, comm, req);
}
int MPI_Rsend_init(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
    return persistent_send(send_mode::ready, buf, count, dt, dest, tag, comm, req);
}
int MPI_Bsend_init(const void* buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
                   MPI_Request* req) {
    return persistent_send(send_mode::buffered, buf, count, dt, dest, tag, comm, req);
}

}  // extern "C"
