#include "io/safetensors.h"

#include "io/io_error.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <system_error>
#include <unordered_set>

namespace zimage::io {

static_assert(std::endian::native == std::endian::little,
              "the length prefix and the tensor data are little-endian and handed out as they lie in the file");

namespace {

constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
constexpr std::string_view kMetadataKey = "__metadata__";

std::string rangeText(std::uint64_t begin, std::uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

std::string errnoText() {
    return std::error_code(errno, std::generic_category()).message();
}

// The offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), or npos. nlohmann already rejects such bytes inside strings; checking the whole header first gives
// the user a message that says what is wrong instead of a JSON syntax error.
std::size_t findInvalidUtf8(std::span<const std::byte> text) {
    const std::size_t size = text.size();
    std::size_t i = 0;
    while (i < size) {
        const auto lead = static_cast<std::uint8_t>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t codePoint = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2, codePoint = lead & 0x1F, smallest = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3, codePoint = lead & 0x0F, smallest = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4, codePoint = lead & 0x07, smallest = 0x10000;
        } else {
            return i;
        }
        if (size - i < length)
            return i;
        for (std::size_t k = 1; k < length; ++k) {
            const auto continuation = static_cast<std::uint8_t>(text[i + k]);
            if ((continuation & 0xC0) != 0x80)
                return i;
            codePoint = (codePoint << 6) | (continuation & 0x3F);
        }
        if (codePoint < smallest || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            return i;
        i += length;
    }
    return std::string_view::npos;
}

// Builds the header straight from nlohmann's SAX events rather than from a json DOM: memory stays proportional to
// what the header declares, every duplicate key is seen (a DOM silently keeps the last one), and each error can
// name the tensor it is in. Every problem throws IoError; the parser never returns false.
class HeaderHandler {
public:
    HeaderHandler(const std::filesystem::path& file, SafetensorsHeader& header)
        : m_file(file)
        , m_header(header) {}

    bool null() { return scalar("null"); }
    bool boolean(bool /*value*/) { return scalar("a boolean"); }
    bool number_integer(std::int64_t value) {
        return value >= 0 ? integer(static_cast<std::uint64_t>(value)) : scalar("a negative number");
    }
    bool number_unsigned(std::uint64_t value) { return integer(value); }
    bool number_float(double /*value*/, const std::string& /*text*/) { return scalar("a fractional number"); }
    bool string(std::string& value);
    bool binary(nlohmann::json::binary_t& /*value*/) { return scalar("binary data"); }
    bool start_object(std::size_t /*elements*/) { return startContainer(true); }
    bool start_array(std::size_t /*elements*/) { return startContainer(false); }
    bool key(std::string& key);
    bool end_object() { return endContainer(); }
    bool end_array() { return endContainer(); }
    bool parse_error(std::size_t position, const std::string& lastToken, const nlohmann::json::exception& error);

private:
    enum class State {
        Start,         // before the root value
        Header,        // in the root object, before a key
        HeaderValue,   // after a root key: a tensor entry or the metadata
        Metadata,      // in "__metadata__", before a key
        MetadataValue, // after a metadata key
        Entry,         // in a tensor entry, before a key
        EntryValue,    // after an entry key
        Shape,         // in "shape"
        Offsets,       // in "data_offsets"
        Skip,          // in the value of an entry key this reader does not use
        Done,
    };

    struct PendingEntry {
        TensorInfo info;
        bool hasDtype = false;
        bool hasShape = false;
        bool hasOffsets = false;
        std::vector<std::uint64_t> offsets;
        std::set<std::string, std::less<>> keys;
    };

    bool scalar(std::string_view kind, std::string* text = nullptr);
    bool integer(std::uint64_t value);
    bool startContainer(bool isObject);
    bool endContainer();
    [[noreturn]] void headerValue(std::string_view kind);
    void entryValue(std::string_view kind, std::string* text);
    void finishEntry();

    [[noreturn]] void fail(const std::string& problem) const { throw IoError(m_file, problem); }
    [[noreturn]] void failEntry(const std::string& problem) const { throw IoError(m_file, m_key, problem); }

    const std::filesystem::path& m_file;
    SafetensorsHeader& m_header;
    State m_state = State::Start;
    std::unordered_set<std::string> m_rootKeys;
    std::string m_key;      // the current root key: the tensor name
    std::string m_innerKey; // the current key inside the metadata or an entry
    PendingEntry m_entry;
    std::size_t m_skipDepth = 0;
};

bool HeaderHandler::string(std::string& value) {
    return scalar("a string", &value);
}

bool HeaderHandler::integer(std::uint64_t value) {
    if (m_state == State::Shape) {
        if (value > kInt64Max)
            failEntry("\"shape\" dimension " + std::to_string(value) + " is too large");
        m_entry.info.shape.push_back(static_cast<std::int64_t>(value));
        return true;
    }
    if (m_state == State::Offsets) {
        if (m_entry.offsets.size() == 2)
            failEntry("\"data_offsets\" must hold exactly two numbers, [begin, end]");
        m_entry.offsets.push_back(value);
        return true;
    }
    return scalar("a number");
}

bool HeaderHandler::scalar(std::string_view kind, std::string* text) {
    switch (m_state) {
    case State::Start:
        fail("header is not a JSON object (it is " + std::string(kind) + ")");
    case State::HeaderValue:
        headerValue(kind);
    case State::MetadataValue:
        if (!text)
            fail("\"__metadata__\" value of '" + m_innerKey + "' is " + std::string(kind) + ", not a string");
        m_header.metadata[m_innerKey] = std::move(*text);
        m_state = State::Metadata;
        return true;
    case State::EntryValue:
        entryValue(kind, text);
        return true;
    case State::Shape:
        failEntry("\"shape\" holds " + std::string(kind) + "; dimensions must be non-negative integers");
    case State::Offsets:
        failEntry("\"data_offsets\" holds " + std::string(kind) + "; offsets must be non-negative integers");
    case State::Skip:
        return true;
    case State::Header:
    case State::Metadata:
    case State::Entry:
    case State::Done:
        break;
    }
    fail("header is not valid JSON (unexpected " + std::string(kind) + ")");
}

// A root value that is not an object.
void HeaderHandler::headerValue(std::string_view kind) {
    if (m_key == kMetadataKey)
        fail("\"__metadata__\" is " + std::string(kind) + ", not an object");
    failEntry("entry is " + std::string(kind) + ", not an object with \"dtype\", \"shape\" and \"data_offsets\"");
}

void HeaderHandler::entryValue(std::string_view kind, std::string* text) {
    m_state = State::Entry;
    if (m_innerKey == "dtype") {
        if (!text)
            failEntry("\"dtype\" is " + std::string(kind) + ", not a string");
        const auto dtype = dtypeFromName(*text);
        if (!dtype)
            failEntry("unknown dtype '" + *text + "'");
        m_entry.info.dtype = *dtype;
        m_entry.hasDtype = true;
    } else if (m_innerKey == "shape" || m_innerKey == "data_offsets") {
        failEntry("\"" + m_innerKey + "\" is " + std::string(kind) + ", not an array");
    }
    // Other keys are not part of the format; like the reference reader, ignore them.
}

bool HeaderHandler::startContainer(bool isObject) {
    const std::string kind = isObject ? "an object" : "an array";
    switch (m_state) {
    case State::Start:
        if (!isObject)
            fail("header is not a JSON object (it is an array)");
        m_state = State::Header;
        return true;
    case State::HeaderValue:
        if (!isObject)
            headerValue(kind);
        if (m_key == kMetadataKey) {
            m_state = State::Metadata;
        } else {
            m_entry = PendingEntry{};
            m_entry.info.name = m_key;
            m_state = State::Entry;
        }
        return true;
    case State::EntryValue:
        if (m_innerKey == "shape" && !isObject) {
            m_entry.hasShape = true;
            m_state = State::Shape;
        } else if (m_innerKey == "data_offsets" && !isObject) {
            m_entry.hasOffsets = true;
            m_state = State::Offsets;
        } else if (m_innerKey == "dtype" || m_innerKey == "shape" || m_innerKey == "data_offsets") {
            entryValue(kind, nullptr);
        } else {
            m_skipDepth = 1;
            m_state = State::Skip;
        }
        return true;
    case State::Skip:
        ++m_skipDepth;
        return true;
    default:
        return scalar(kind);
    }
}

bool HeaderHandler::endContainer() {
    switch (m_state) {
    case State::Header:
        m_state = State::Done;
        return true;
    case State::Metadata:
        m_state = State::Header;
        return true;
    case State::Entry:
        finishEntry();
        m_state = State::Header;
        return true;
    case State::Shape:
        m_state = State::Entry;
        return true;
    case State::Offsets:
        if (m_entry.offsets.size() != 2)
            failEntry("\"data_offsets\" must hold exactly two numbers, [begin, end]");
        m_state = State::Entry;
        return true;
    case State::Skip:
        if (--m_skipDepth == 0)
            m_state = State::Entry;
        return true;
    default:
        fail("header is not valid JSON (unexpected end of a container)");
    }
}

bool HeaderHandler::key(std::string& key) {
    switch (m_state) {
    case State::Header:
        if (!m_rootKeys.insert(key).second) {
            if (key == kMetadataKey)
                fail("\"__metadata__\" appears twice");
            throw IoError(m_file, key, "appears twice in the header");
        }
        m_key = std::move(key);
        m_state = State::HeaderValue;
        return true;
    case State::Metadata:
        if (m_header.metadata.count(key))
            fail("\"__metadata__\" repeats the key '" + key + "'");
        m_innerKey = std::move(key);
        m_state = State::MetadataValue;
        return true;
    case State::Entry:
        if (!m_entry.keys.insert(key).second)
            failEntry("repeats the key \"" + key + "\"");
        m_innerKey = std::move(key);
        m_state = State::EntryValue;
        return true;
    case State::Skip:
        return true;
    default:
        fail("header is not valid JSON (unexpected key)");
    }
}

void HeaderHandler::finishEntry() {
    if (!m_entry.hasDtype)
        failEntry("missing \"dtype\"");
    if (!m_entry.hasShape)
        failEntry("missing \"shape\"");
    if (!m_entry.hasOffsets)
        failEntry("missing \"data_offsets\"");
    m_entry.info.dataBegin = m_entry.offsets[0];
    m_entry.info.dataEnd = m_entry.offsets[1];
    m_header.tensors.push_back(std::move(m_entry.info));
}

bool HeaderHandler::parse_error(std::size_t /*position*/, const std::string& /*lastToken*/,
                                const nlohmann::json::exception& error) {
    // nlohmann's text starts with "[json.exception.parse_error.101] "; the user needs only what follows.
    std::string_view what = error.what();
    if (const auto close = what.find("] "); what.starts_with("[json.exception.") && close != std::string_view::npos)
        what.remove_prefix(close + 2);
    fail("header is not valid JSON: " + std::string(what));
}

// The element count of a shape, or nullopt when the product of its non-zero dimensions exceeds int64 (LibTorch
// refuses such shapes too, even when another dimension is zero).
std::optional<std::uint64_t> checkedNumel(const std::vector<std::int64_t>& shape) {
    std::uint64_t product = 1;
    bool empty = false;
    for (const auto dimension : shape) {
        const auto value = static_cast<std::uint64_t>(dimension);
        if (value == 0) {
            empty = true;
            continue;
        }
        if (product > kInt64Max / value)
            return std::nullopt;
        product *= value;
    }
    return empty ? 0 : product;
}

void checkTensor(const TensorInfo& tensor, std::uint64_t dataSize, const std::filesystem::path& file) {
    const auto fail = [&](const std::string& problem) { throw IoError(file, tensor.name, problem); };
    const auto offsets = "[" + std::to_string(tensor.dataBegin) + ", " + std::to_string(tensor.dataEnd) + "]";
    if (tensor.dataBegin > tensor.dataEnd)
        fail("\"data_offsets\" " + offsets + " are reversed (begin after end)");
    const auto numel = checkedNumel(tensor.shape);
    const auto elementSize = dtypeSize(tensor.dtype);
    if (!numel || *numel > std::numeric_limits<std::uint64_t>::max() / elementSize)
        fail("shape " + shapeText(tensor.shape) + " has too many elements");
    const auto needed = *numel * elementSize;
    if (needed != tensor.byteSize())
        fail("shape " + shapeText(tensor.shape) + " of " + std::string(dtypeName(tensor.dtype)) + " needs " +
             std::to_string(needed) + " bytes but \"data_offsets\" " + offsets + " hold " +
             std::to_string(tensor.byteSize()));
    if (tensor.dataEnd > dataSize)
        fail("data range " + rangeText(tensor.dataBegin, tensor.dataEnd) +
             " lies past the end of the file (the data section holds " + std::to_string(dataSize) + " bytes)");
}

// Sorts by data position and rejects overlaps. Empty tensors occupy no bytes, so they overlap nothing.
void checkRanges(std::vector<TensorInfo>& tensors, const std::filesystem::path& file) {
    std::stable_sort(tensors.begin(), tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.dataBegin != b.dataBegin ? a.dataBegin < b.dataBegin : a.dataEnd < b.dataEnd;
    });
    const TensorInfo* previous = nullptr;
    for (const auto& tensor : tensors) {
        if (tensor.byteSize() == 0)
            continue;
        if (previous && tensor.dataBegin < previous->dataEnd)
            throw IoError(file, tensor.name,
                          "data range " + rangeText(tensor.dataBegin, tensor.dataEnd) + " overlaps tensor '" +
                              previous->name + "' " + rangeText(previous->dataBegin, previous->dataEnd));
        previous = &tensor;
    }
}

std::uint64_t readLengthPrefix(std::span<const std::byte> bytes) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
        value = (value << 8) | static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(i)]);
    return value;
}

} // namespace

std::int64_t TensorInfo::numel() const {
    std::int64_t product = 1;
    for (const auto dimension : shape)
        product *= dimension;
    return product;
}

SafetensorsHeader parseSafetensorsHeader(std::span<const std::byte> fileStart, std::uint64_t fileSize,
                                         const std::filesystem::path& fileName) {
    if (fileSize < 8)
        throw IoError(fileName, "file is " + std::to_string(fileSize) +
                                    " bytes, too short for a safetensors header (at least 8)");
    if (fileStart.size() < 8)
        throw IoError(fileName, "only " + std::to_string(fileStart.size()) + " bytes of the file could be read");
    const std::uint64_t headerLength = readLengthPrefix(fileStart);
    if (headerLength > kMaxHeaderBytes)
        throw IoError(fileName, "header length " + std::to_string(headerLength) + " exceeds the limit of " +
                                    std::to_string(kMaxHeaderBytes) + " bytes (is this a safetensors file?)");
    if (headerLength > fileSize - 8)
        throw IoError(fileName, "header length " + std::to_string(headerLength) +
                                    " runs past the end of the file (the file is " + std::to_string(fileSize) +
                                    " bytes; truncated download?)");
    if (fileStart.size() - 8 < headerLength)
        throw IoError(fileName, "only " + std::to_string(fileStart.size()) + " bytes of the file could be read");

    const auto json = fileStart.subspan(8, static_cast<std::size_t>(headerLength));
    if (const auto bad = findInvalidUtf8(json); bad != std::string_view::npos)
        throw IoError(fileName, "header is not valid UTF-8 (byte " + std::to_string(8 + bad) + " of the file)");
    // nlohmann takes a NUL for the end of the input and would accept "{}\0<anything>".
    if (const auto* nul = std::memchr(json.data(), 0, json.size()))
        throw IoError(fileName, "header holds a NUL byte (byte " +
                                    std::to_string(8 + (static_cast<const std::byte*>(nul) - json.data())) +
                                    " of the file)");

    SafetensorsHeader header;
    header.dataOffset = 8 + headerLength;
    HeaderHandler handler(fileName, header);
    const auto* text = reinterpret_cast<const char*>(json.data());
    nlohmann::json::sax_parse(text, text + json.size(), &handler);

    const std::uint64_t dataSize = fileSize - header.dataOffset;
    for (const auto& tensor : header.tensors)
        checkTensor(tensor, dataSize, fileName);
    checkRanges(header.tensors, fileName);
    return header;
}

MappedFile::MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw IoError(path, "cannot open: " + errnoText());
    // Closing right after mmap is fine: the mapping keeps the file referenced.
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};

    struct stat info {};
    if (::fstat(fd, &info) != 0)
        throw IoError(path, "cannot read its size: " + errnoText());
    if (S_ISDIR(info.st_mode))
        throw IoError(path, "is a folder, not a file");
    if (!S_ISREG(info.st_mode))
        throw IoError(path, "is not a regular file");
    if (info.st_size == 0)
        return; // mmap refuses length 0; an empty span is what the reader needs
    if (static_cast<std::uint64_t>(info.st_size) > std::numeric_limits<std::size_t>::max())
        throw IoError(path, "is too large to map on this system");

    const auto size = static_cast<std::size_t>(info.st_size);
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED)
        throw IoError(path, "cannot map into memory: " + errnoText());
    m_data = static_cast<const std::byte*>(data);
    m_size = size;
}

MappedFile::~MappedFile() {
    if (m_data)
        ::munmap(const_cast<std::byte*>(m_data), m_size);
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const std::filesystem::path& path) {
    auto mapping = std::make_unique<MappedFile>(path);
    const auto bytes = mapping->bytes();
    auto header = parseSafetensorsHeader(bytes, bytes.size(), path);
    return std::make_shared<const SafetensorsFile>(path, std::move(mapping), std::move(header));
}

SafetensorsFile::SafetensorsFile(std::filesystem::path path, std::unique_ptr<MappedFile> mapping,
                                 SafetensorsHeader header)
    : m_path(std::move(path))
    , m_mapping(std::move(mapping))
    , m_header(std::move(header)) {
    for (std::size_t i = 0; i < m_header.tensors.size(); ++i)
        m_byName.emplace(m_header.tensors[i].name, i);
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
    const auto it = m_byName.find(name);
    return it == m_byName.end() ? nullptr : &m_header.tensors[it->second];
}

const TensorInfo& SafetensorsFile::at(std::string_view name) const {
    if (const auto* tensor = find(name))
        return *tensor;
    throw IoError(m_path, std::string(name), "not in this file");
}

std::span<const std::byte> SafetensorsFile::bytes(const TensorInfo& tensor) const {
    return dataRange(tensor.dataBegin, tensor.dataEnd);
}

std::span<const std::byte> SafetensorsFile::dataRange(std::uint64_t begin, std::uint64_t end) const {
    const auto file = m_mapping ? m_mapping->bytes() : std::span<const std::byte>();
    const std::uint64_t dataSize = file.size() >= m_header.dataOffset ? file.size() - m_header.dataOffset : 0;
    if (begin > end || end > dataSize)
        throw IoError(m_path, "data range " + rangeText(begin, end) + " is outside the data section (" +
                                  std::to_string(dataSize) + " bytes)");
    return file.subspan(static_cast<std::size_t>(m_header.dataOffset + begin), static_cast<std::size_t>(end - begin));
}

} // namespace zimage::io
