// Interposed send calls: every application message carries its sender's color (a 2-byte header) in
// front of its data.
#include "intercept.hpp"
#include "piggyback.hpp"
#include "requests.hpp"

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
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
    auto t = make_tracked();
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
    auto t = make_tracked();
    t->what = tracked_request::kind::send;
    t->persistent = true;
    t->active = false;  // from MPI_Start on
    t->dest_world = world_of(comm, dest);
    t->comm = comm;
    t->ubuf = buf;
    t->ucount = count;
    // MPI_Start packs with the type again, possibly after the application freed its handle.
    int rc = t->hold_type(dt);
    if (rc != MPI_SUCCESS) return rc;
    if (use_packed(data_bytes(count, dt))) {
        // The packed form is rebuilt at every MPI_Start; its size never changes.
        t->packed = true;
        pack_message(msg_header{}, buf, count, t->utype, comm, t->bounce);
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

// MPI_Buffer_attach / MPI_Buffer_detach: every buffered message carries a header, so an
// attached buffer of exactly the size MPI-3.1 3.6.1 promises is enough (MPI_Pack_size of the
// messages plus MPI_BSEND_OVERHEAD each) would be too small by header_bytes per message. cairn
// attaches a buffer of its own, larger by that much for as many messages as the application's
// buffer can hold, and gives the application's buffer back at detach (the application may not
// touch it while it is attached, so which memory MPI copies into is not observable).
namespace {

struct attached_buffer {
    std::mutex mu;
    void* app = nullptr;  ///< the application's buffer (returned by detach)
    int app_size = 0;
    std::vector<unsigned char> own;  ///< what MPI was given
};

attached_buffer& attached() {
    static attached_buffer a;  // NOLINT: process-wide by nature (one buffer per process)
    return a;
}

}  // namespace

extern "C" {

int MPI_Buffer_attach(void* buf, int size) {
    if (!protocol::get().active() || in_internal_scope() || size < 0) {
        return PMPI_Buffer_attach(buf, size);
    }
    attached_buffer& a = attached();
    const std::lock_guard<std::mutex> lock(a.mu);
    // At most size / MPI_BSEND_OVERHEAD messages fit; each needs its header and may be aligned.
    const std::int64_t messages = static_cast<std::int64_t>(size) / MPI_BSEND_OVERHEAD + 1;
    const std::int64_t want = static_cast<std::int64_t>(size) + messages * (header_bytes + 16);
    if (want > INT32_MAX || !a.own.empty()) return PMPI_Buffer_attach(buf, size);
    a.own.resize(static_cast<std::size_t>(want));
    const int rc = PMPI_Buffer_attach(a.own.data(), static_cast<int>(want));
    if (rc != MPI_SUCCESS) {
        a.own.clear();
        a.own.shrink_to_fit();
        return rc;
    }
    a.app = buf;
    a.app_size = size;
    return MPI_SUCCESS;
}

int MPI_Buffer_detach(void* buf, int* size) {
    attached_buffer& a = attached();
    const std::lock_guard<std::mutex> lock(a.mu);
    const int rc = PMPI_Buffer_detach(buf, size);
    if (rc != MPI_SUCCESS || a.own.empty()) return rc;
    // MPI returned cairn's buffer (the call waited for the buffered messages to leave it).
    *static_cast<void**>(buf) = a.app;
    *size = a.app_size;
    a.own.clear();
    a.own.shrink_to_fit();
    a.app = nullptr;
    a.app_size = 0;
    return MPI_SUCCESS;
}

}  // extern "C"
