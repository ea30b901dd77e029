#include "models/elf_image.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "models/mem_map.h"

namespace ipsim {

namespace {

constexpr int kEmMsp430 = 105;  // EM_MSP430, ELF machine number

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%05llX", static_cast<unsigned long long>(v));
  return buf;
}

// A segment may be loaded into FRAM (the normal case) or SRAM (volatile; lost at power-off).
// 64-bit arguments: p_paddr and p_filesz come from the file and may be anything.
bool loadable_range(uint64_t begin, uint64_t len) {
  if (begin > UINT32_MAX) return false;
  const uint32_t addr = static_cast<uint32_t>(begin);
  return range_inside(addr, len, kInfoFramBegin, kInfoFramEnd) ||
         range_inside(addr, len, kFramBegin, kFramEnd) ||
         range_inside(addr, len, kSramBegin, kSramEnd);
}

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};

}  // namespace

ElfImage ElfImage::load(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw ElfError("libelf initialisation failed");
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then rejects it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) throw ElfError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ElfError(path + ": not a regular file");
  }
  std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd, ELF_C_READ, nullptr));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) throw ElfError(path + ": not an ELF file");
  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr)) throw ElfError(path + ": unreadable ELF header");
  if (ehdr.e_ident[EI_CLASS] != ELFCLASS32 || ehdr.e_ident[EI_DATA] != ELFDATA2LSB)
    throw ElfError(path + ": not a 32-bit little-endian ELF (MSP430 ELF files are)");
  if (ehdr.e_machine != kEmMsp430)
    throw ElfError(path + ": ELF machine is " + std::to_string(ehdr.e_machine) + ", not MSP430 (" +
                   std::to_string(kEmMsp430) + ")");
  if (ehdr.e_type != ET_EXEC) throw ElfError(path + ": not an executable ELF (ET_EXEC)");

  ElfImage image;
  image.m_path = path;
  image.m_entry = static_cast<uint32_t>(ehdr.e_entry);

  // File extents of the allocated sections with contents: what segments are loaded for.
  std::vector<std::pair<uint64_t, uint64_t>> alloc_extents;
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_ALLOC) && sh.sh_type != SHT_NOBITS &&
        sh.sh_size > 0)
      alloc_extents.push_back({sh.sh_offset, sh.sh_offset + sh.sh_size});
  }

  size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) != 0) throw ElfError(path + ": bad program headers");
  std::vector<uint8_t> file;
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph)) continue;
    if (ph.p_type != PT_LOAD || ph.p_filesz == 0) continue;
    // Check the file size first: p_offset and p_filesz are whatever the file claims.
    size_t size = 0;
    const char* raw = elf_rawfile(elf.get(), &size);
    if (!raw || ph.p_offset > size || ph.p_filesz > size - ph.p_offset)
      throw ElfError(path + ": segment " + std::to_string(i) + " extends past the end of file");
    // Trim the segment to the allocated sections inside it (headers are not program bytes).
    uint64_t lo = ph.p_offset + ph.p_filesz, hi = ph.p_offset;
    for (const auto& [s_begin, s_end] : alloc_extents)
      if (s_begin >= ph.p_offset && s_end <= ph.p_offset + ph.p_filesz && s_begin < s_end)
        lo = std::min(lo, s_begin), hi = std::max(hi, s_end);
    if (!alloc_extents.empty() && lo >= hi) {
      image.m_warnings.push_back(path + ": segment " + std::to_string(i) + " at " +
                                 hex(ph.p_paddr) +
                                 " holds no section (only ELF headers); not loaded");
      continue;
    }
    if (!alloc_extents.empty()) {
      const uint64_t skipped = lo - ph.p_offset;
      ph.p_paddr += skipped;
      ph.p_memsz = ph.p_memsz > skipped ? ph.p_memsz - skipped : 0;
      ph.p_filesz = hi - lo;
      ph.p_offset = lo;
    }
    if (!loadable_range(ph.p_paddr, ph.p_filesz))
      throw ElfError(path + ": segment " + std::to_string(i) + " at " + hex(ph.p_paddr) + "-" +
                     hex(ph.p_paddr + ph.p_filesz - 1) +
                     " lies outside FRAM (0x01800-0x01AFF, 0x04000-0x43FFF) and SRAM "
                     "(0x01C00-0x03BFF)");
    ElfSegment seg{static_cast<uint32_t>(ph.p_paddr), static_cast<uint32_t>(ph.p_memsz), {}};
    seg.bytes.resize(ph.p_filesz);
    std::memcpy(seg.bytes.data(), raw + ph.p_offset, ph.p_filesz);
    image.m_segments.push_back(std::move(seg));
  }
  if (image.m_segments.empty()) throw ElfError(path + ": no loadable segment");

  size_t shstrndx = 0;
  elf_getshdrstrndx(elf.get(), &shstrndx);
  std::vector<std::string> section_names;
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* sname = elf_strptr(elf.get(), shstrndx, sh.sh_name);
    if ((sh.sh_flags & SHF_ALLOC) && sh.sh_size > 0)
      image.m_sections.push_back({sname ? sname : "", static_cast<uint32_t>(sh.sh_addr),
                                  static_cast<uint32_t>(sh.sh_size)});
  }
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf.get(), scn)) != nullptr;) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    const size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
    for (size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      const int type = GELF_ST_TYPE(sym.st_info);
      if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
      if (sym.st_shndx == SHN_UNDEF) continue;
      const char* name = elf_strptr(elf.get(), sh.sh_link, sym.st_name);
      if (!name || !*name || name[0] == '$' || name[0] == '.') continue;
      std::string section;
      if (sym.st_shndx != SHN_ABS && sym.st_shndx < SHN_LORESERVE) {
        GElf_Shdr ssh;
        if (gelf_getshdr(elf_getscn(elf.get(), sym.st_shndx), &ssh)) {
          const char* sname = elf_strptr(elf.get(), shstrndx, ssh.sh_name);
          section = sname ? sname : "";
        }
      }
      image.m_symbols.push_back({name, static_cast<uint32_t>(sym.st_value),
                                 static_cast<uint32_t>(sym.st_size), type == STT_FUNC, section});
    }
  }
  std::sort(image.m_symbols.begin(), image.m_symbols.end(),
            [](const ElfSymbol& a, const ElfSymbol& b) {
              return a.addr != b.addr ? a.addr < b.addr : a.size > b.size;
            });
  return image;
}

std::optional<ElfSymbol> ElfImage::find(const std::string& name) const {
  for (const ElfSymbol& s : m_symbols)
    if (s.name == name) return s;
  return std::nullopt;
}

const ElfSymbol* ElfImage::symbol_at(uint32_t addr) const {
  // Symbols are sorted by address; the last one starting at or before addr that covers it.
  auto it = std::upper_bound(m_symbols.begin(), m_symbols.end(), addr,
                             [](uint32_t a, const ElfSymbol& s) { return a < s.addr; });
  while (it != m_symbols.begin()) {
    --it;
    if (it->size > 0 && addr < it->addr + it->size) return &*it;
    if (addr - it->addr > 0x10000) break;
  }
  return nullptr;
}

std::string ElfImage::section_at(uint32_t addr) const {
  for (const Section& s : m_sections)
    if (addr >= s.addr && addr < s.addr + s.size) return s.name;
  return {};
}

}  // namespace ipsim
