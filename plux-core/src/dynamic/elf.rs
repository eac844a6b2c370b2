//! A look at an ELF file before the system loader maps it: the loader maps segments without
//! checking that the file holds them, so a truncated library would crash the process (`SIGBUS`)
//! the first time a missing page is touched.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// Where an ELF file ends at the least: past its program headers, every loadable segment and
/// its section header table. `Ok(None)` when the file is not ELF (the loader judges it).
pub(crate) fn required_len(path: &Path) -> io::Result<Option<u64>> {
    let mut file = File::open(path)?;
    let mut header = [0u8; 64];
    let read = read_up_to(&mut file, &mut header)?;
    let Some(ident) = header.get(..6).filter(|_| read >= 52) else {
        return Ok(None);
    };
    if ident.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Ok(None);
    }
    let wide = ident.get(4) == Some(&2);
    let big_endian = ident.get(5) == Some(&2);
    let field = Fields {
        bytes: &header,
        big_endian,
    };
    // (offset, width) of e_phoff, e_shoff, e_phentsize, e_phnum, e_shentsize, e_shnum.
    let (phoff, shoff, phentsize, phnum, shentsize, shnum) = if wide {
        (
            field.get(0x20, 8),
            field.get(0x28, 8),
            field.get(0x36, 2),
            field.get(0x38, 2),
            field.get(0x3A, 2),
            field.get(0x3C, 2),
        )
    } else {
        (
            field.get(0x1C, 4),
            field.get(0x20, 4),
            field.get(0x2A, 2),
            field.get(0x2C, 2),
            field.get(0x2E, 2),
            field.get(0x30, 2),
        )
    };
    let program_headers_end = phoff.saturating_add(phentsize.saturating_mul(phnum));
    let section_headers_end = shoff.saturating_add(shentsize.saturating_mul(shnum));
    let mut required = program_headers_end.max(section_headers_end);

    let file_len = file.metadata()?.len();
    if program_headers_end > file_len || phentsize == 0 {
        return Ok(Some(required));
    }
    let mut table = vec![0u8; usize::try_from(phentsize * phnum).unwrap_or(0)];
    file.seek(SeekFrom::Start(phoff))?;
    file.read_exact(&mut table)?;
    for entry in table.chunks(usize::try_from(phentsize).unwrap_or(1)) {
        let entry = Fields {
            bytes: entry,
            big_endian,
        };
        const PT_LOAD: u64 = 1;
        if entry.get(0, 4) != PT_LOAD {
            continue;
        }
        let (offset, filesz) = if wide {
            (entry.get(8, 8), entry.get(32, 8))
        } else {
            (entry.get(4, 4), entry.get(16, 4))
        };
        required = required.max(offset.saturating_add(filesz));
    }
    Ok(Some(required))
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match file.read(buf.get_mut(read..).unwrap_or_default())? {
            0 => break,
            n => read += n,
        }
    }
    Ok(read)
}

/// Integers of an ELF structure; a field past the end reads as `u64::MAX`, which no file holds.
struct Fields<'a> {
    bytes: &'a [u8],
    big_endian: bool,
}

impl Fields<'_> {
    fn get(&self, offset: usize, width: usize) -> u64 {
        let Some(bytes) = self.bytes.get(offset..offset + width) else {
            return u64::MAX;
        };
        let fold = |value: u64, &byte: &u8| (value << 8) | u64::from(byte);
        if self.big_endian {
            bytes.iter().fold(0, fold)
        } else {
            bytes.iter().rev().fold(0, fold)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!("plux-elf-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A 64-bit little-endian ELF header with one program header, a `PT_LOAD` of `filesz` bytes
    /// at `offset`, and no section headers.
    fn elf64(offset: u64, filesz: u64) -> Vec<u8> {
        let mut bytes = vec![0u8; 64 + 56];
        bytes[..6].copy_from_slice(b"\x7fELF\x02\x01");
        bytes[0x20..0x28].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        bytes[0x36..0x38].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        bytes[0x38..0x3A].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
        bytes[64..68].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        bytes[64 + 8..64 + 16].copy_from_slice(&offset.to_le_bytes());
        bytes[64 + 32..64 + 40].copy_from_slice(&filesz.to_le_bytes());
        bytes
    }

    #[test]
    fn a_file_that_is_not_elf_is_left_to_the_loader() {
        assert_eq!(required_len(&write("text", b"hello")).unwrap(), None);
        assert_eq!(required_len(&write("empty", b"")).unwrap(), None);
    }

    #[test]
    fn a_loadable_segment_past_the_end_is_seen() {
        let bytes = elf64(0, 4096);
        assert_eq!(required_len(&write("short", &bytes)).unwrap(), Some(4096));
        let mut whole = elf64(0, 200);
        whole.resize(200, 0);
        assert_eq!(required_len(&write("whole", &whole)).unwrap(), Some(200));
    }

    #[test]
    fn a_cut_program_header_table_is_seen() {
        let bytes = elf64(0, 10);
        let cut = &bytes[..80];
        assert_eq!(required_len(&write("cut", cut)).unwrap(), Some(64 + 56));
    }

    #[test]
    fn a_big_endian_32_bit_header_is_read_too() {
        let mut bytes = vec![0u8; 52 + 32];
        bytes[..6].copy_from_slice(b"\x7fELF\x01\x02");
        bytes[0x1C..0x20].copy_from_slice(&52u32.to_be_bytes()); // e_phoff
        bytes[0x2A..0x2C].copy_from_slice(&32u16.to_be_bytes()); // e_phentsize
        bytes[0x2C..0x2E].copy_from_slice(&1u16.to_be_bytes()); // e_phnum
        bytes[52..56].copy_from_slice(&1u32.to_be_bytes()); // PT_LOAD
        bytes[52 + 4..52 + 8].copy_from_slice(&0u32.to_be_bytes());
        bytes[52 + 16..52 + 20].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(required_len(&write("be32", &bytes)).unwrap(), Some(1000));
    }
}
