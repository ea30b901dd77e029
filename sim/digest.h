#pragma once
// Content digests for provenance and resume: SHA-256 from OpenSSL's EVP interface (a
// well-kept library; no digest code of our own). Digests are lowercase hex, 64 characters.
#include <map>
#include <string>

namespace ipsim {

// SHA-256 of a byte string.
std::string sha256_hex(const std::string& bytes);
// SHA-256 of a file's content; throws std::runtime_error naming the file when unreadable.
std::string sha256_file(const std::string& path);

// sha256_file with memory: a sweep of many runs hashes each trace and ELF once. An entry is
// reused only while the file's size and modification time are unchanged.
class FileDigestCache {
 public:
  // "" when the file cannot be read.
  std::string digest(const std::string& path);

 private:
  struct Entry {
    unsigned long long size = 0;
    long long mtime_ns = 0;
    std::string sha256;
  };
  std::map<std::string, Entry> m_entries;
};

}  // namespace ipsim
