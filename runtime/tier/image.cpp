#include "image.hpp"

#include "storage/checksum.hpp"


#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace cairn::detail {

// Layout (version 2, native byte order):
//   fixed part (40 bytes): "CAIRNIMG", u64 total length, u32 version, u32 0, u64 buffer count,
//                          u64 length of the header body
//   header body:           metadata, per buffer its description and data length, channel state
//   u64 XXH3-64 of the fixed part and the body
//   data:                  each buffer's packed block, in order
//   trailer:               u64 XXH3-64 per buffer, u64 XXH3-64 of (header hash, buffer hashes),
//                          "CAIRNEND"

void memory_source::need(std::size_t n) const {
    if (n > n_ - at_) throw corrupt_error("rank image is truncated");
}

void memory_source::read(unsigned char* dst, std::size_t n) {
    need(n);
    if (n > 0) std::memcpy(dst, p_ + at_, n);
    at_ += n;
}

void memory_source::skim(std::size_t n, const piece_fn& f) {
    need(n);
    if (n > 0) f(p_ + at_, n);
    at_ += n;
}

namespace {

constexpr char head_magic[8] = {'C', 'A', 'I', 'R', 'N', 'I', 'M', 'G'};
constexpr char tail_magic[8] = {'C', 'A', 'I', 'R', 'N', 'E', 'N', 'D'};
constexpr std::size_t fixed_bytes = 40;
constexpr std::size_t piece_max = std::size_t{1} << 20;  // data pieces: hashed while in cache

std::size_t trailer_size(std::uint64_t nbuf) { return 8 * (nbuf + 1) + sizeof tail_magic; }

// Hash of the trailer's contents: the header hash followed by the buffer hashes.
std::uint64_t hash_of_hashes(std::uint64_t head_hash, const std::vector<std::uint64_t>& h) {
    std::vector<std::uint64_t> all;
    all.reserve(h.size() + 1);
    all.push_back(head_hash);
    all.insert(all.end(), h.begin(), h.end());
    return hash_bytes(all.data(), all.size() * sizeof(std::uint64_t));
}

class sink {
public:
    explicit sink(std::vector<unsigned char>& out) : out_(out) {}
    void raw(const void* p, std::size_t n) {
        const auto* c = static_cast<const unsigned char*>(p);
        out_.insert(out_.end(), c, c + n);
    }
    template <class T>
    void put(T v) {
        raw(&v, sizeof v);
    }
    void str(const std::string& s) {
        put<std::uint64_t>(s.size());
        raw(s.data(), s.size());
    }
    void u64s(const std::vector<std::uint64_t>& v) {
        put<std::uint64_t>(v.size());
        raw(v.data(), v.size() * sizeof(std::uint64_t));
    }

private:
    std::vector<unsigned char>& out_;
};

class source {
public:
    source(const unsigned char* p, std::size_t n, const std::string& origin)
        : p_(p), n_(n), origin_(origin) {}
    const unsigned char* take(std::size_t n) {
        if (n > n_ - at_) throw corrupt_error(origin_ + ": rank image header is truncated");
        const unsigned char* r = p_ + at_;
        at_ += n;
        return r;
    }
    template <class T>
    T get() {
        T v;
        std::memcpy(&v, take(sizeof v), sizeof v);
        return v;
    }
    std::string str() {
        const auto n = get<std::uint64_t>();
        const auto* c = take(n);
        return {reinterpret_cast<const char*>(c), n};
    }
    std::vector<std::uint64_t> u64s() {
        const auto n = get<std::uint64_t>();
        if (n > (n_ - at_) / sizeof(std::uint64_t)) take(n_);  // throws: truncated
        std::vector<std::uint64_t> v(n);
        const auto* src = take(n * sizeof(std::uint64_t));
        if (n != 0) std::memcpy(v.data(), src, n * sizeof(std::uint64_t));  // data() may be null
        return v;
    }
    [[nodiscard]] std::size_t left() const { return n_ - at_; }

private:
    const unsigned char* p_;
    std::size_t n_;
    std::size_t at_ = 0;
    const std::string& origin_;
};

void put_meta(sink& s, const checkpoint_meta& m, int rank) {
    s.put<std::uint64_t>(m.epoch);
    s.put<std::uint64_t>(m.safe_point);
    s.put<std::uint64_t>(m.color);
    s.put<std::int32_t>(rank);
    s.put<std::int32_t>(m.nranks);
    s.put<std::int64_t>(m.time_unix);
    s.str(m.cairn_version);
    s.str(m.app_name);
    s.str(m.time_iso);
    s.str(m.job_id);
    s.str(m.checksum_algorithm);
    s.put<double>(m.interval_delta);
    s.put<double>(m.interval_mtbf);
    s.put<double>(m.interval_t);
    s.put<std::uint64_t>(m.stats.bytes);
    s.put<double>(m.stats.stall_seconds);
    s.put<double>(m.stats.write_seconds);
    s.put<std::uint64_t>(m.stats.messages_logged);
    s.put<std::uint64_t>(m.stats.aborted_epochs);
    s.put<std::uint64_t>(m.stats.staging_waits);
    s.put<std::int32_t>(m.stats.nonblocking);
}

int get_meta(source& s, checkpoint_meta& m) {
    m.epoch = s.get<std::uint64_t>();
    m.safe_point = s.get<std::uint64_t>();
    m.color = s.get<std::uint64_t>();
    const int rank = s.get<std::int32_t>();
    m.nranks = s.get<std::int32_t>();
    m.time_unix = s.get<std::int64_t>();
    m.cairn_version = s.str();
    m.app_name = s.str();
    m.time_iso = s.str();
    m.job_id = s.str();
    m.checksum_algorithm = s.str();
    m.interval_delta = s.get<double>();
    m.interval_mtbf = s.get<double>();
    m.interval_t = s.get<double>();
    m.stats.bytes = s.get<std::uint64_t>();
    m.stats.stall_seconds = s.get<double>();
    m.stats.write_seconds = s.get<double>();
    m.stats.messages_logged = s.get<std::uint64_t>();
    m.stats.aborted_epochs = s.get<std::uint64_t>();
    m.stats.staging_waits = s.get<std::uint64_t>();
    m.stats.nonblocking = s.get<std::int32_t>();
    return rank;
}

std::string describe_shape(const buffer_desc& b) {
    std::string s;
    for (int d = 0; d < b.ndims; ++d) {
        s += (d == 0 ? "" : "x") + std::to_string(b.global[static_cast<std::size_t>(d)]);
    }
    return s;
}

template <class T>
T load(const unsigned char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Reads and verifies the fixed part and the header body; parses the body.
image_head read_head(byte_source& in, std::uint64_t total, const std::string& origin,
                     std::uint64_t& head_hash) {
    std::vector<unsigned char> head(fixed_bytes);
    if (total < fixed_bytes) throw corrupt_error(origin + ": not a cairn rank image");
    in.read(head.data(), fixed_bytes);
    if (std::memcmp(head.data(), head_magic, sizeof head_magic) != 0) {
        throw corrupt_error(origin + ": not a cairn rank image");
    }
    const auto len = load<std::uint64_t>(head.data() + 8);
    const auto version = load<std::uint32_t>(head.data() + 16);
    if (version != image_format_version) {
        throw corrupt_error(origin + ": rank image format version " + std::to_string(version) +
                            " (this cairn reads version " +
                            std::to_string(image_format_version) + ")");
    }
    if (len != total) {
        throw corrupt_error(origin + ": rank image is " + std::to_string(total) +
                            " bytes, its header says " + std::to_string(len) +
                            " (truncated or damaged)");
    }
    const auto nbuf = load<std::uint64_t>(head.data() + 24);
    const auto body = load<std::uint64_t>(head.data() + 32);
    const std::uint64_t room = total - fixed_bytes;
    if (body > room || nbuf > room / 8 || room - body < 8 + trailer_size(nbuf)) {
        throw corrupt_error(origin + ": rank image header is damaged (lengths do not fit)");
    }
    head.resize(fixed_bytes + body);
    in.read(head.data() + fixed_bytes, body);
    std::uint64_t stored = 0;
    in.read(reinterpret_cast<unsigned char*>(&stored), sizeof stored);
    head_hash = hash_bytes(head.data(), head.size());
    if (head_hash != stored) throw corrupt_error(origin + ": rank image header checksum mismatch");

    image_head h;
    source s(head.data() + fixed_bytes, body, origin);
    h.rank = get_meta(s, h.meta);
    std::uint64_t data = 0;
    for (std::uint64_t i = 0; i < nbuf; ++i) {
        image_buffer ib;
        buffer_desc& b = ib.desc;
        b.name = s.str();
        b.kind = static_cast<buffer_kind>(s.get<std::int32_t>());
        b.elem = static_cast<type>(s.get<std::int32_t>());
        b.ndims = s.get<std::int32_t>();
        if (b.ndims < 1 || b.ndims > 3) throw corrupt_error(origin + ": bad rank of '" + b.name + "'");
        for (std::size_t d = 0; d < 3; ++d) {
            b.global[d] = s.get<std::uint64_t>();
            b.offset[d] = s.get<std::uint64_t>();
            b.extent[d] = s.get<std::uint64_t>();
        }
        b.count = s.get<std::uint64_t>();
        b.variable = s.get<std::uint8_t>() != 0;
        b.object = s.get<std::uint8_t>() != 0;
        b.format_tag = s.str();
        const auto n = s.get<std::uint64_t>();
        if (n != b.bytes()) throw corrupt_error(origin + ": size of '" + b.name + "' is wrong");
        b.mem_shape = b.extent;
        b.mem_offset = {0, 0, 0};
        if (b.kind == buffer_kind::per_rank) b.mem_shape = {b.count, 0, 0};
        data += n;
        h.buffers.push_back(std::move(ib));
    }
    const auto nmsg = s.get<std::uint64_t>();
    if (nmsg > body) throw corrupt_error(origin + ": bad message count");
    for (std::uint64_t i = 0; i < nmsg; ++i) {
        logged_message m;
        m.comm_id = s.get<std::uint32_t>();
        m.source = s.get<std::int32_t>();
        m.tag = s.get<std::int32_t>();
        m.epoch = s.get<std::uint32_t>();
        const auto n = s.get<std::uint64_t>();
        const unsigned char* p = s.take(n);
        m.payload.assign(p, p + n);
        h.channel.messages.push_back(std::move(m));
    }
    h.channel.sent_white = s.u64s();
    h.channel.recv_before = s.u64s();
    h.channel.logged = s.u64s();
    if (s.left() != 0 || fixed_bytes + body + 8 + data + trailer_size(nbuf) != total) {
        throw corrupt_error(origin + ": rank image lengths are inconsistent");
    }
    return h;
}

// Reads the trailer and compares it with the hashes computed while the data was read.
void read_trailer(byte_source& in, image_head& h, std::uint64_t head_hash,
                  const std::vector<std::uint64_t>& computed, const std::string& origin) {
    std::vector<unsigned char> t(trailer_size(h.buffers.size()));
    in.read(t.data(), t.size());
    if (std::memcmp(t.data() + t.size() - sizeof tail_magic, tail_magic, sizeof tail_magic) != 0) {
        throw corrupt_error(origin + ": rank image has no end marker (truncated or damaged)");
    }
    std::vector<std::uint64_t> stored(h.buffers.size());
    if (!stored.empty()) std::memcpy(stored.data(), t.data(), stored.size() * 8);
    if (hash_of_hashes(head_hash, stored) != load<std::uint64_t>(t.data() + stored.size() * 8)) {
        throw corrupt_error(origin + ": rank image trailer checksum mismatch");
    }
    for (std::size_t i = 0; i < stored.size(); ++i) {
        h.buffers[i].checksum = stored[i];
        if (computed[i] != stored[i]) {
            throw corrupt_error(origin + ": checksum mismatch in buffer '" +
                                h.buffers[i].desc.name + "'");
        }
    }
}

// Throws mismatch_error when the image's buffers are not the registered ones.
void check_registration(const image_head& img, const std::vector<buffer_desc>& bufs) {
    const std::string where = "rank image of checkpoint " + std::to_string(img.meta.epoch);
    if (img.buffers.size() != bufs.size()) {
        throw mismatch_error(where + " holds " + std::to_string(img.buffers.size()) +
                             " buffers, this rank registered " + std::to_string(bufs.size()));
    }
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& s = img.buffers[i].desc;
        const buffer_desc& b = bufs[i];
        if (s.name != b.name || s.kind != b.kind || s.elem != b.elem || s.ndims != b.ndims ||
            s.variable != b.variable || s.object != b.object || s.format_tag != b.format_tag) {
            throw mismatch_error(where + ": buffer " + std::to_string(i) + " is '" + s.name +
                                 "' (" + type_name(s.elem) + "), registered '" + b.name + "' (" +
                                 type_name(b.elem) + ")");
        }
        if (b.kind == buffer_kind::distributed &&
            (s.global != b.global || s.offset != b.offset || s.extent != b.extent)) {
            throw mismatch_error(where + ": distributed buffer '" + b.name + "' has shape " +
                                 describe_shape(s) + " and another block than registered (" +
                                 describe_shape(b) + ")");
        }
        if (!b.variable && b.count != s.count) {
            throw mismatch_error(where + ": '" + b.name + "' holds " + std::to_string(s.count) +
                                 " elements, registered " + std::to_string(b.count));
        }
    }
}

// Registered buffer i, resized to the image's count when it is variable.
buffer_desc target_of(const buffer_desc& s, buffer_desc b) {
    if (b.variable) {
        b.count = s.count;
        b.extent[0] = s.count;
        b.mem_shape[0] = s.count;
        b.data = b.resize(s.count);
        if (b.data == nullptr && s.count > 0) {
            throw mismatch_error("resize of '" + b.name + "' returned a null pointer");
        }
    }
    return b;
}

// Calls f on the pieces (at most piece_max bytes) of every row of b's block.
template <class F>
void for_each_piece(const buffer_desc& b, F&& f) {
    for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
        for (std::size_t at = 0; at < n; at += piece_max) f(row + at, std::min(piece_max, n - at));
    });
}

}  // namespace

image_writer::image_writer(const checkpoint_meta& meta, int rank,
                           const std::vector<buffer_desc>& bufs, const channel_state& chan)
    : bufs_(bufs) {
    head_.reserve(4096 + chan.payload_bytes() + 64 * chan.messages.size() + 256 * bufs.size());
    sink s(head_);
    s.raw(head_magic, sizeof head_magic);
    s.put<std::uint64_t>(0);  // total length, patched below
    s.put<std::uint32_t>(image_format_version);
    s.put<std::uint32_t>(0);
    s.put<std::uint64_t>(bufs.size());
    s.put<std::uint64_t>(0);  // body length, patched below
    put_meta(s, meta, rank);
    std::uint64_t data = 0;
    for (const auto& b : bufs) {
        s.str(b.name);
        s.put<std::int32_t>(static_cast<std::int32_t>(b.kind));
        s.put<std::int32_t>(static_cast<std::int32_t>(b.elem));
        s.put<std::int32_t>(b.ndims);
        for (int d = 0; d < 3; ++d) {
            s.put<std::uint64_t>(b.global[static_cast<std::size_t>(d)]);
            s.put<std::uint64_t>(b.offset[static_cast<std::size_t>(d)]);
            s.put<std::uint64_t>(b.extent[static_cast<std::size_t>(d)]);
        }
        s.put<std::uint64_t>(b.count);
        s.put<std::uint8_t>(b.variable ? 1 : 0);
        s.put<std::uint8_t>(b.object ? 1 : 0);
        s.str(b.format_tag);
        s.put<std::uint64_t>(b.bytes());
        data += b.bytes();
    }
    s.put<std::uint64_t>(chan.messages.size());
    for (const auto& m : chan.messages) {
        s.put<std::uint32_t>(m.comm_id);
        s.put<std::int32_t>(m.source);
        s.put<std::int32_t>(m.tag);
        s.put<std::uint32_t>(m.epoch);
        s.put<std::uint64_t>(m.payload.size());
        s.raw(m.payload.data(), m.payload.size());
    }
    s.u64s(chan.sent_white);
    s.u64s(chan.recv_before);
    s.u64s(chan.logged);
    const std::uint64_t body = head_.size() - fixed_bytes;
    total_ = head_.size() + 8 + data + trailer_size(bufs.size());
    std::memcpy(head_.data() + 8, &total_, sizeof total_);
    std::memcpy(head_.data() + 32, &body, sizeof body);
    head_hash_ = hash_bytes(head_.data(), head_.size());
    s.put<std::uint64_t>(head_hash_);
}

void image_writer::emit(const piece_fn& put) {
    put(head_.data(), head_.size());
    std::vector<std::uint64_t> hashes;
    hashes.reserve(bufs_.size());
    streaming_hash st;
    for (const auto& b : bufs_) {
        st.reset();
        for_each_piece(b, [&](const unsigned char* p, std::size_t n) {
            st.update(p, n);
            put(p, n);
        });
        hashes.push_back(st.digest());
    }
    trailer_.clear();
    sink s(trailer_);
    for (const auto h : hashes) s.put<std::uint64_t>(h);
    s.put<std::uint64_t>(hash_of_hashes(head_hash_, hashes));
    s.raw(tail_magic, sizeof tail_magic);
    put(trailer_.data(), trailer_.size());
}

std::vector<unsigned char> build_image(const checkpoint_meta& meta, int rank,
                                       const std::vector<buffer_desc>& bufs,
                                       const channel_state& chan) {
    std::vector<unsigned char> out;
    build_image(meta, rank, bufs, chan, out);
    return out;
}

void build_image(const checkpoint_meta& meta, int rank, const std::vector<buffer_desc>& bufs,
                 const channel_state& chan, std::vector<unsigned char>& out) {
    image_writer w(meta, rank, bufs, chan);
    out.clear();
    out.reserve(w.size());
    w.emit([&](const unsigned char* p, std::size_t n) { out.insert(out.end(), p, p + n); });
}

image_head read_image(byte_source& in, std::uint64_t total, const std::string& origin,
                      const head_check& accept, const std::vector<buffer_desc>& bufs) {
    std::uint64_t head_hash = 0;
    image_head h = read_head(in, total, origin, head_hash);
    if (accept) accept(h);
    check_registration(h, bufs);
    std::vector<std::uint64_t> computed;
    streaming_hash st;
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc b = target_of(h.buffers[i].desc, bufs[i]);
        st.reset();
        for_each_piece(b, [&](const unsigned char* p, std::size_t n) {
            auto* dst = const_cast<unsigned char*>(p);  // NOLINT: the registered buffer
            in.read(dst, n);
            st.update(dst, n);
        });
        computed.push_back(st.digest());
    }
    read_trailer(in, h, head_hash, computed, origin);
    return h;
}

std::string verify_image(byte_source& in, std::uint64_t total) {
    try {
        std::uint64_t head_hash = 0;
        image_head h = read_head(in, total, "", head_hash);
        std::vector<std::uint64_t> computed;
        streaming_hash st;
        for (const auto& ib : h.buffers) {
            st.reset();
            std::uint64_t left = ib.desc.bytes();
            while (left > 0) {
                const std::size_t n = std::min<std::uint64_t>(left, piece_max);
                in.skim(n, [&](const unsigned char* p, std::size_t k) {
                    st.update(p, k);
                });
                left -= n;
            }
            computed.push_back(st.digest());
        }
        read_trailer(in, h, head_hash, computed, "");
    } catch (const corrupt_error& e) {
        std::string what = e.what();
        if (what.rfind(": ", 0) == 0) what.erase(0, 2);  // origin was ""
        return what;
    }
    return "";
}

rank_image parse_image(std::vector<unsigned char> bytes, const std::string& origin) {
    rank_image img;
    img.bytes = std::move(bytes);
    memory_source in(img.bytes.data(), img.bytes.size());
    std::uint64_t head_hash = 0;
    try {
        static_cast<image_head&>(img) = read_head(in, img.bytes.size(), origin, head_hash);
        std::vector<std::uint64_t> computed;
        for (auto& ib : img.buffers) {
            const std::size_t n = ib.desc.bytes();
            ib.desc.data = const_cast<unsigned char*>(in.here());  // NOLINT: owned by img.bytes
            in.skim(n, [&](const unsigned char* p, std::size_t k) {
                computed.push_back(hash_bytes(p, k));
            });
            if (n == 0) computed.push_back(hash_bytes(nullptr, 0));
        }
        read_trailer(in, img, head_hash, computed, origin);
    } catch (const corrupt_error& e) {
        const std::string what = e.what();
        if (what.rfind(origin, 0) == 0) throw;
        throw corrupt_error(origin + ": " + what);
    }
    return img;
}

std::string check_image(const std::vector<unsigned char>& bytes) {
    memory_source in(bytes.data(), bytes.size());
    return verify_image(in, bytes.size());
}

void load_image(const rank_image& img, const std::vector<buffer_desc>& bufs) {
    check_registration(img, bufs);
    for (std::size_t i = 0; i < bufs.size(); ++i) {
        const buffer_desc& s = img.buffers[i].desc;
        const buffer_desc b = target_of(s, bufs[i]);
        const auto* src = static_cast<const unsigned char*>(s.data);
        auto* base = static_cast<unsigned char*>(b.data);
        for_each_block_row(b, [&](const unsigned char* row, std::size_t n) {
            std::memcpy(base + (row - static_cast<const unsigned char*>(b.data)), src, n);
            src += n;
        });
    }
}

}  // namespace cairn::detail
