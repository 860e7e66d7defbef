#include "output/png_file.h"

#include "io/atomic_file.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

namespace zimage::output {
namespace {

bool isLatin1(const std::string& utf8) {
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte < 0x80)
            continue;
        // U+0080..U+00FF are C2 xx or C3 xx in UTF-8.
        if ((byte == 0xC2 || byte == 0xC3) && i + 1 < utf8.size()) {
            ++i;
            continue;
        }
        return false;
    }
    return true;
}

std::string latin1ToUtf8(const char* text, std::size_t length) {
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            out.push_back(static_cast<char>(byte));
        } else {
            out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
            out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
        }
    }
    return out;
}

std::string utf8ToLatin1(const std::string& utf8) {
    std::string out;
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const auto byte = static_cast<unsigned char>(utf8[i]);
        if (byte < 0x80) {
            out.push_back(static_cast<char>(byte));
        } else {
            out.push_back(static_cast<char>(((byte & 0x03) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F)));
        }
    }
    return out;
}

[[noreturn]] void pngError(png_structp png, png_const_charp message) {
    auto* error = static_cast<std::string*>(png_get_error_ptr(png));
    *error = message;
    png_longjmp(png, 1);
}

void pngWarning(png_structp, png_const_charp) {}

struct FileCloser {
    void operator()(std::FILE* file) const {
        if (file)
            std::fclose(file);
    }
};

// libpng reports errors by longjmp, so no object with a destructor is created or changed between setjmp and the
// calls that may fail: the text entries and row pointers are prepared by the caller.
struct EncodeInput {
    int width = 0;
    int height = 0;
    png_text* texts = nullptr;
    int textCount = 0;
    png_bytep* rows = nullptr;
};

void appendBytes(png_structp png, png_bytep data, png_size_t length) {
    auto* out = static_cast<std::vector<std::byte>*>(png_get_io_ptr(png));
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    out->insert(out->end(), bytes, bytes + length);
}

void flushNothing(png_structp) {}

// Encodes into `out` (in memory; the file is then written atomically in one go).
bool encode(std::vector<std::byte>* out, const EncodeInput& input, std::string& error) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &error, pngError, pngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_write_struct(&png, nullptr);
        error = "out of memory";
        return false;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return false;
    }
    png_set_write_fn(png, out, appendBytes, flushNothing);
    png_set_IHDR(png, info, static_cast<png_uint_32>(input.width), static_cast<png_uint_32>(input.height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (input.textCount > 0)
        png_set_text(png, info, input.texts, input.textCount);
    png_write_info(png, info);
    png_write_image(png, input.rows);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return true;
}

std::vector<png_text> textEntries(const PngImage& image, const std::vector<std::string>& latin1) {
    std::vector<png_text> texts(image.texts.size());
    for (std::size_t i = 0; i < image.texts.size(); ++i) {
        auto& text = texts[i];
        text.key = const_cast<char*>(image.texts[i].key.c_str());
        if (!latin1[i].empty() || image.texts[i].value.empty()) {
            text.compression = PNG_TEXT_COMPRESSION_NONE;
            text.text = const_cast<char*>(latin1[i].c_str());
            text.text_length = latin1[i].size();
        } else {
            text.compression = PNG_ITXT_COMPRESSION_NONE;
            text.text = const_cast<char*>(image.texts[i].value.c_str());
            text.itxt_length = image.texts[i].value.size();
        }
    }
    return texts;
}

} // namespace

void writePng(const std::filesystem::path& path, const PngImage& image) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw std::runtime_error("cannot write " + path.string() + ": the pixel buffer does not match " +
                                 std::to_string(image.width) + "x" + std::to_string(image.height) + " RGB");
    std::vector<std::string> latin1;
    for (const auto& text : image.texts)
        latin1.push_back(isLatin1(text.value) ? utf8ToLatin1(text.value) : std::string());

    auto texts = textEntries(image, latin1);
    std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
    for (int y = 0; y < image.height; ++y)
        rows[static_cast<std::size_t>(y)] =
            const_cast<png_bytep>(image.rgb.data() + static_cast<std::size_t>(y) * image.width * 3);
    const EncodeInput input{image.width, image.height, texts.data(), static_cast<int>(texts.size()), rows.data()};
    std::vector<std::byte> encoded;
    std::string error;
    if (!encode(&encoded, input, error))
        throw std::runtime_error("cannot encode PNG " + path.string() + ": " + error);
    io::AtomicFile file(path);
    file.write(encoded);
    file.commit();
}

namespace {

// Each libpng phase that can fail has its own setjmp frame holding no C++ objects (see encode()).
bool readHeader(png_structp png, png_infop info, std::FILE* file, int& width, int& height) {
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_init_io(png, file);
    png_read_info(png, info);
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_gray_to_rgb(png);
    png_read_update_info(png, info);
    width = static_cast<int>(png_get_image_width(png, info));
    height = static_cast<int>(png_get_image_height(png, info));
    return true;
}

bool readRows(png_structp png, png_infop info, png_bytep* rows) {
    if (setjmp(png_jmpbuf(png)))
        return false;
    png_read_image(png, rows);
    png_read_end(png, info);
    return true;
}

} // namespace

PngImage readPng(const std::filesystem::path& path) {
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
    if (!file)
        throw std::runtime_error("cannot open " + path.string());
    std::string error;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, pngError, pngWarning);
    png_infop info = png ? png_create_info_struct(png) : nullptr;
    if (!info) {
        png_destroy_read_struct(&png, nullptr, nullptr);
        throw std::runtime_error("out of memory reading " + path.string());
    }
    std::unique_ptr<png_struct, std::function<void(png_structp)>> guard(
        png, [&info](png_structp p) { png_destroy_read_struct(&p, &info, nullptr); });
    PngImage image;
    constexpr int kMaxSide = 1 << 15; // refuse absurd sizes before allocating
    if (!readHeader(png, info, file.get(), image.width, image.height) || image.width <= 0 || image.height <= 0 ||
        image.width > kMaxSide || image.height > kMaxSide)
        throw std::runtime_error(path.string() + " is not a readable PNG" + (error.empty() ? "" : ": " + error));
    image.rgb.resize(static_cast<std::size_t>(image.width) * image.height * 3);
    std::vector<png_bytep> rows(static_cast<std::size_t>(image.height));
    for (int y = 0; y < image.height; ++y)
        rows[static_cast<std::size_t>(y)] = image.rgb.data() + static_cast<std::size_t>(y) * image.width * 3;
    if (!readRows(png, info, rows.data()))
        throw std::runtime_error(path.string() + " is damaged: " + error);
    png_textp texts = nullptr;
    const int count = png_get_text(png, info, &texts, nullptr);
    for (int i = 0; i < count; ++i) {
        const bool utf8 =
            texts[i].compression == PNG_ITXT_COMPRESSION_NONE || texts[i].compression == PNG_ITXT_COMPRESSION_zTXt;
        image.texts.push_back({texts[i].key, utf8 ? std::string(texts[i].text, texts[i].itxt_length)
                                                  : latin1ToUtf8(texts[i].text, texts[i].text_length)});
    }
    return image;
}

} // namespace zimage::output
