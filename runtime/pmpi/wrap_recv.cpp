// Interposed receive and probe calls: the queue (replay / pulled messages) first, then MPI; the
// header is stripped and the status shows exactly what plain MPI would show.
#include "intercept.hpp"
#include "piggyback.hpp"
#include "queue.hpp"
#include "recv_path.hpp"
#include "requests.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

using namespace cairn::detail;

namespace cairn::detail {

bool receive_from_queue(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
                        MPI_Status* st, int* rc) {
    if (message_queue::get().empty()) return false;  // no replay or pulled message: lock-free
    auto m = message_queue::get().take(info_of(comm).id, source, tag);
    if (!m) return false;
    *rc = unpack_payload(m->payload, buf, count, dt, comm);
    st->MPI_SOURCE = m->source;
    st->MPI_TAG = m->tag;
    st->MPI_ERROR = *rc;
    set_payload_count(st, static_cast<std::int64_t>(m->payload.size()));
    return true;
}

void fix_probe_status(MPI_Status* st) {
    const MPI_Count got = received_bytes(st);
    set_payload_count(st, got >= header_bytes ? got - header_bytes : 0);
}

namespace {

// The small-message fast path of receive_blocking: a dense predefined type of at most
// stack_payload bytes, received as [header | data] into a stack buffer (`capacity` payload bytes).
int receive_small(void* buf, std::int64_t capacity, int source, int tag, MPI_Comm comm,
                  MPI_Message* message, MPI_Status* st, const comm_info& ci) {
    alignas(8) unsigned char wire[header_bytes + stack_payload];
    const int cap = header_bytes + static_cast<int>(capacity);
    const int rc = message != nullptr ? PMPI_Mrecv(wire, cap, MPI_PACKED, message, st)
                                      : PMPI_Recv(wire, cap, MPI_PACKED, source, tag, comm, st);
    if ((rc != MPI_SUCCESS && !truncated(rc)) || st->MPI_SOURCE == MPI_PROC_NULL) return rc;
    msg_header h;
    std::int64_t payload = 0;  // as the status reports it (the whole message, even truncated)
    std::int64_t delivered = 0;  // bytes in the user buffer
    const MPI_Count got = received_bytes(st);
    if (got >= header_bytes) {
        std::memcpy(&h, wire, header_bytes);
        payload = static_cast<std::int64_t>(got) - header_bytes;
        delivered = payload < capacity ? payload : capacity;
        copy_small(buf, wire + header_bytes, static_cast<std::size_t>(delivered));
    }
    const unsigned char* data = wire + header_bytes;
    protocol::get().on_receive(h, ci.id, world_of(ci, st->MPI_SOURCE), st->MPI_SOURCE,
                               st->MPI_TAG,
                               [&] { return std::vector<unsigned char>(data, data + delivered); });
    set_payload_count(st, payload);
    return rc;
}

}  // namespace

int receive_blocking(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
                     MPI_Message* message, MPI_Status* st, const comm_info* ci) {
    if (const std::int64_t n = fast_path_bytes(count, dt); n >= 0) {
        return receive_small(buf, n, source, tag, comm, message, st,
                             ci != nullptr ? *ci : info_of(comm));
    }
    int rc = MPI_SUCCESS;
    msg_header h;
    std::int64_t payload = 0;
    std::int64_t logged_bytes = -1;  // packed: payload bytes in the bounce buffer
    const bool packed = receive_packed(count, dt);
    thread_local std::vector<unsigned char> bounce;  // NOLINT: reused per thread
    if (packed) {
        bounce.resize(static_cast<std::size_t>(packed_capacity(count, dt, comm)));
        rc = message != nullptr
                 ? PMPI_Mrecv(bounce.data(), static_cast<int>(bounce.size()), MPI_PACKED, message, st)
                 : PMPI_Recv(bounce.data(), static_cast<int>(bounce.size()), MPI_PACKED, source, tag,
                             comm, st);
        if ((rc != MPI_SUCCESS && !truncated(rc)) || st->MPI_SOURCE == MPI_PROC_NULL) return rc;
        const MPI_Count got = received_bytes(st);
        const MPI_Count in_bounce = std::min<MPI_Count>(got, static_cast<MPI_Count>(bounce.size()));
        if (unpack_message(bounce.data(), static_cast<int>(in_bounce), h, buf, count, dt, comm) >= 0) {
            payload = static_cast<std::int64_t>(got) - header_bytes;
        }
        logged_bytes = static_cast<std::int64_t>(in_bounce) - header_bytes;
    } else {
        MPI_Datatype stt = header_struct_type(&h, buf, count, dt);
        rc = message != nullptr ? PMPI_Mrecv(MPI_BOTTOM, 1, stt, message, st)
                                : PMPI_Recv(MPI_BOTTOM, 1, stt, source, tag, comm, st);
        PMPI_Type_free(&stt);
        if ((rc != MPI_SUCCESS && !truncated(rc)) || st->MPI_SOURCE == MPI_PROC_NULL) return rc;
        const MPI_Count got = received_bytes(st);
        payload = static_cast<std::int64_t>(got) - header_bytes;
    }
    if (payload < 0) payload = 0;
    if (logged_bytes < 0 || logged_bytes > payload) logged_bytes = payload;
    const comm_info& info = ci != nullptr ? *ci : info_of(comm);
    const int src_world = world_of(info, st->MPI_SOURCE);
    protocol::get().on_receive(h, info.id, src_world, st->MPI_SOURCE, st->MPI_TAG, [&] {
        if (packed) {
            return std::vector<unsigned char>(bounce.begin() + header_bytes,
                                              bounce.begin() + header_bytes + logged_bytes);
        }
        return pack_payload(buf, payload, count, dt, comm);
    });
    set_payload_count(st, payload);
    return rc;
}

}  // namespace cairn::detail

namespace {

// Matched-message handles that refer to queued messages rather than MPI's.
struct fake_messages {
    std::mutex mu;
    std::map<MPI_Message, std::unique_ptr<queued_message>> map;
    std::map<MPI_Message, MPI_Comm> comm;
};
fake_messages& fakes() {
    static fake_messages f;  // NOLINT: process-wide by nature
    return f;
}

MPI_Message make_fake(queued_message m, MPI_Comm comm) {
    auto owned = std::make_unique<queued_message>(std::move(m));
    auto* handle = reinterpret_cast<MPI_Message>(owned.get());  // NOLINT: opaque handle value
    auto& f = fakes();
    const std::lock_guard<std::mutex> lock(f.mu);
    f.comm[handle] = comm;
    f.map[handle] = std::move(owned);
    return handle;
}

std::unique_ptr<queued_message> take_fake(MPI_Message handle, MPI_Comm* comm) {
    auto& f = fakes();
    const std::lock_guard<std::mutex> lock(f.mu);
    const auto it = f.map.find(handle);
    if (it == f.map.end()) return nullptr;
    auto out = std::move(it->second);
    *comm = f.comm[handle];
    f.map.erase(it);
    f.comm.erase(handle);
    return out;
}

// Communicator of each real matched message (MPI does not expose it), for MPI_Mrecv.
void remember_message(MPI_Message handle, MPI_Comm comm) {
    auto& f = fakes();
    const std::lock_guard<std::mutex> lock(f.mu);
    f.comm[handle] = comm;
}

MPI_Comm forget_message(MPI_Message handle) {
    auto& f = fakes();
    const std::lock_guard<std::mutex> lock(f.mu);
    const auto it = f.comm.find(handle);
    if (it == f.comm.end()) return MPI_COMM_WORLD;
    const MPI_Comm c = it->second;
    f.comm.erase(it);
    return c;
}

void fill_status_from(const queued_message& m, MPI_Status* st) {
    st->MPI_SOURCE = m.source;
    st->MPI_TAG = m.tag;
    st->MPI_ERROR = MPI_SUCCESS;
    set_payload_count(st, static_cast<std::int64_t>(m.payload.size()));
}

// An already-complete generalized request standing for a message delivered from the queue
// (each has its own handle; its status is produced by the query callback).
struct delivered_status {
    int source = 0;
    int tag = 0;
    MPI_Count bytes = 0;
};

extern "C" int delivered_query(void* extra, MPI_Status* st) {
    const auto* d = static_cast<const delivered_status*>(extra);
    st->MPI_SOURCE = d->source;
    st->MPI_TAG = d->tag;
    st->MPI_ERROR = MPI_SUCCESS;
    PMPI_Status_set_elements_x(st, MPI_BYTE, d->bytes);
    PMPI_Status_set_cancelled(st, 0);
    return MPI_SUCCESS;
}

extern "C" int delivered_free(void* extra) {
    delete static_cast<delivered_status*>(extra);  // NOLINT(cppcoreguidelines-owning-memory)
    return MPI_SUCCESS;
}

extern "C" int delivered_cancel(void* /*extra*/, int /*complete*/) { return MPI_SUCCESS; }

int queued_request(const queued_message& m, MPI_Request* req) {
    auto d = std::make_unique<delivered_status>();
    d->source = m.source;
    d->tag = m.tag;
    d->bytes = static_cast<MPI_Count>(m.payload.size());
    const int rc = PMPI_Grequest_start(&delivered_query, &delivered_free, &delivered_cancel,
                                       d.get(), req);
    if (rc != MPI_SUCCESS) return rc;
    d.release();  // owned by the request now (freed by delivered_free)
    return PMPI_Grequest_complete(*req);
}

int post_irecv(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
               MPI_Message* message, MPI_Request* req, bool persistent) {
    auto t = make_tracked();
    t->what = tracked_request::kind::recv;
    t->persistent = persistent;
    t->active = !persistent;  // a persistent request is active from MPI_Start on
    t->peer = source;
    t->tag = tag;
    t->ubuf = buf;
    t->ucount = count;
    t->comm = comm;
    // The completion unpacks (and may log) with the type, possibly after the application freed
    // its handle.
    int rc = t->hold_type(dt);
    if (rc != MPI_SUCCESS) return rc;
    if (receive_packed(count, dt)) {
        t->packed = true;
        t->bounce.resize(static_cast<std::size_t>(packed_capacity(count, dt, comm)));
        const int cap = static_cast<int>(t->bounce.size());
        if (persistent) rc = PMPI_Recv_init(t->bounce.data(), cap, MPI_PACKED, source, tag, comm, req);
        else if (message != nullptr) rc = PMPI_Imrecv(t->bounce.data(), cap, MPI_PACKED, message, req);
        else rc = PMPI_Irecv(t->bounce.data(), cap, MPI_PACKED, source, tag, comm, req);
    } else {
        t->stype = header_struct_type(&t->hdr, buf, count, dt);
        if (persistent) rc = PMPI_Recv_init(MPI_BOTTOM, 1, t->stype, source, tag, comm, req);
        else if (message != nullptr) rc = PMPI_Imrecv(MPI_BOTTOM, 1, t->stype, message, req);
        else rc = PMPI_Irecv(MPI_BOTTOM, 1, t->stype, source, tag, comm, req);
    }
    if (rc == MPI_SUCCESS) request_table::get().add(*req, std::move(t));
    return rc;
}

}  // namespace

extern "C" {

int MPI_Recv(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
             MPI_Status* status) {
    const comm_info* ci = intercepted(comm, source);
    if (ci == nullptr) return PMPI_Recv(buf, count, dt, source, tag, comm, status);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    int rc = MPI_SUCCESS;
    if (!message_queue::get().empty() &&
        receive_from_queue(buf, count, dt, source, tag, comm, st, &rc)) {
        return rc;
    }
    return receive_blocking(buf, count, dt, source, tag, comm, nullptr, st, ci);
}

int MPI_Irecv(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
              MPI_Request* req) {
    if (!intercept(comm, source)) return PMPI_Irecv(buf, count, dt, source, tag, comm, req);
    if (auto m = message_queue::get().take(info_of(comm).id, source, tag)) {
        const int rc = unpack_payload(m->payload, buf, count, dt, comm);
        if (rc != MPI_SUCCESS) return rc;
        return queued_request(*m, req);
    }
    return post_irecv(buf, count, dt, source, tag, comm, nullptr, req, false);
}

int MPI_Recv_init(void* buf, int count, MPI_Datatype dt, int source, int tag, MPI_Comm comm,
                  MPI_Request* req) {
    if (!intercept(comm, source)) return PMPI_Recv_init(buf, count, dt, source, tag, comm, req);
    return post_irecv(buf, count, dt, source, tag, comm, nullptr, req, true);
}

int MPI_Sendrecv(const void* sbuf, int scount, MPI_Datatype stype, int dest, int stag, void* rbuf,
                 int rcount, MPI_Datatype rtype, int source, int rtag, MPI_Comm comm,
                 MPI_Status* status) {
    if (!intercept(comm, dest) && !intercept(comm, source)) {
        return PMPI_Sendrecv(sbuf, scount, stype, dest, stag, rbuf, rcount, rtype, source, rtag,
                             comm, status);
    }
    MPI_Request sreq = MPI_REQUEST_NULL;
    int rc = MPI_Isend(sbuf, scount, stype, dest, stag, comm, &sreq);
    if (rc != MPI_SUCCESS) return rc;
    rc = MPI_Recv(rbuf, rcount, rtype, source, rtag, comm, status);
    const int rc2 = MPI_Wait(&sreq, MPI_STATUS_IGNORE);
    return rc != MPI_SUCCESS ? rc : rc2;
}

int MPI_Sendrecv_replace(void* buf, int count, MPI_Datatype dt, int dest, int stag, int source,
                         int rtag, MPI_Comm comm, MPI_Status* status) {
    if (!intercept(comm, dest) && !intercept(comm, source)) {
        return PMPI_Sendrecv_replace(buf, count, dt, dest, stag, source, rtag, comm, status);
    }
    int psize = 0;
    PMPI_Pack_size(count, dt, comm, &psize);
    std::vector<unsigned char> copy(static_cast<std::size_t>(psize));
    int pos = 0;
    PMPI_Pack(buf, count, dt, copy.data(), psize, &pos, comm);
    MPI_Request sreq = MPI_REQUEST_NULL;
    int rc = MPI_Isend(copy.data(), pos, MPI_PACKED, dest, stag, comm, &sreq);
    if (rc != MPI_SUCCESS) return rc;
    rc = MPI_Recv(buf, count, dt, source, rtag, comm, status);
    const int rc2 = MPI_Wait(&sreq, MPI_STATUS_IGNORE);
    return rc != MPI_SUCCESS ? rc : rc2;
}

int MPI_Probe(int source, int tag, MPI_Comm comm, MPI_Status* status) {
    if (!intercept(comm, source)) return PMPI_Probe(source, tag, comm, status);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    if (auto m = message_queue::get().peek(info_of(comm).id, source, tag)) {
        fill_status_from(*m, st);
        return MPI_SUCCESS;
    }
    const int rc = PMPI_Probe(source, tag, comm, st);
    if (rc == MPI_SUCCESS) fix_probe_status(st);
    return rc;
}

int MPI_Iprobe(int source, int tag, MPI_Comm comm, int* flag, MPI_Status* status) {
    if (!intercept(comm, source)) return PMPI_Iprobe(source, tag, comm, flag, status);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    if (auto m = message_queue::get().peek(info_of(comm).id, source, tag)) {
        *flag = 1;
        fill_status_from(*m, st);
        return MPI_SUCCESS;
    }
    const int rc = PMPI_Iprobe(source, tag, comm, flag, st);
    if (rc == MPI_SUCCESS && *flag != 0) fix_probe_status(st);
    return rc;
}

int MPI_Mprobe(int source, int tag, MPI_Comm comm, MPI_Message* message, MPI_Status* status) {
    if (!intercept(comm, source)) return PMPI_Mprobe(source, tag, comm, message, status);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    if (auto m = message_queue::get().take(info_of(comm).id, source, tag)) {
        fill_status_from(*m, st);
        *message = make_fake(std::move(*m), comm);
        return MPI_SUCCESS;
    }
    const int rc = PMPI_Mprobe(source, tag, comm, message, st);
    if (rc == MPI_SUCCESS) {
        fix_probe_status(st);
        if (*message != MPI_MESSAGE_NO_PROC) remember_message(*message, comm);
    }
    return rc;
}

int MPI_Improbe(int source, int tag, MPI_Comm comm, int* flag, MPI_Message* message,
                MPI_Status* status) {
    if (!intercept(comm, source)) return PMPI_Improbe(source, tag, comm, flag, message, status);
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    if (auto m = message_queue::get().take(info_of(comm).id, source, tag)) {
        *flag = 1;
        fill_status_from(*m, st);
        *message = make_fake(std::move(*m), comm);
        return MPI_SUCCESS;
    }
    const int rc = PMPI_Improbe(source, tag, comm, flag, message, st);
    if (rc == MPI_SUCCESS && *flag != 0) {
        fix_probe_status(st);
        if (*message != MPI_MESSAGE_NO_PROC) remember_message(*message, comm);
    }
    return rc;
}

int MPI_Mrecv(void* buf, int count, MPI_Datatype dt, MPI_Message* message, MPI_Status* status) {
    MPI_Status local;
    MPI_Status* st = status == MPI_STATUS_IGNORE ? &local : status;
    MPI_Comm comm = MPI_COMM_NULL;
    if (auto m = take_fake(*message, &comm)) {
        const int rc = unpack_payload(m->payload, buf, count, dt, comm);
        fill_status_from(*m, st);
        st->MPI_ERROR = rc;
        *message = MPI_MESSAGE_NULL;
        return rc;
    }
    if (!protocol::get().active() || in_internal_scope() || *message == MPI_MESSAGE_NO_PROC) {
        return PMPI_Mrecv(buf, count, dt, message, status);
    }
    const MPI_Comm mc = forget_message(*message);
    return receive_blocking(buf, count, dt, MPI_ANY_SOURCE, MPI_ANY_TAG, mc, message, st);
}

int MPI_Imrecv(void* buf, int count, MPI_Datatype dt, MPI_Message* message, MPI_Request* req) {
    MPI_Comm comm = MPI_COMM_NULL;
    if (auto m = take_fake(*message, &comm)) {
        const int rc = unpack_payload(m->payload, buf, count, dt, comm);
        *message = MPI_MESSAGE_NULL;
        if (rc != MPI_SUCCESS) return rc;
        return queued_request(*m, req);
    }
    if (!protocol::get().active() || in_internal_scope() || *message == MPI_MESSAGE_NO_PROC) {
        return PMPI_Imrecv(buf, count, dt, message, req);
    }
    const MPI_Comm mc = forget_message(*message);
    return post_irecv(buf, count, dt, MPI_ANY_SOURCE, MPI_ANY_TAG, mc, message, req, false);
}

}  // extern "C"
