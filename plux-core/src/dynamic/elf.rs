//! A look at an ELF file before the system loader maps it:
//!
//! - the loader maps segments without checking that the file holds them, so a truncated library
//!   would crash the process (`SIGBUS`) the first time a missing page is touched;
//! - a library for another machine is refused by the loader with a misleading message (glibc
//!   says "No such file or directory" when it has searched its paths for one that fits);
//! - a FIFO or a device would block the reader, or be read without end: the file is opened
//!   without blocking and must be a regular file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

/// What the ELF header says of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Elf {
    /// The machine (`e_machine`), its class (64-bit) and byte order.
    pub(crate) machine: Machine,
    /// Where the file ends at the least: past its program headers, every loadable segment and
    /// its section header table.
    pub(crate) required_len: u64,
    /// The file's size.
    pub(crate) len: u64,
}

/// A machine as ELF names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Machine {
    pub(crate) number: u16,
    pub(crate) wide: bool,
    pub(crate) big_endian: bool,
}

impl Machine {
    /// The machine this program runs as; `None` for an architecture this table does not know
    /// (then the loader judges).
    pub(crate) fn this() -> Option<Machine> {
        let number = if cfg!(target_arch = "x86_64") {
            62
        } else if cfg!(target_arch = "x86") {
            3
        } else if cfg!(target_arch = "aarch64") {
            183
        } else if cfg!(target_arch = "arm") {
            40
        } else if cfg!(any(target_arch = "riscv64", target_arch = "riscv32")) {
            243
        } else if cfg!(target_arch = "powerpc64") {
            21
        } else if cfg!(target_arch = "powerpc") {
            20
        } else if cfg!(target_arch = "s390x") {
            22
        } else if cfg!(target_arch = "loongarch64") {
            258
        } else {
            return None;
        };
        Some(Machine {
            number,
            wide: cfg!(target_pointer_width = "64"),
            big_endian: cfg!(target_endian = "big"),
        })
    }
}

impl std::fmt::Display for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.number {
            3 => "x86",
            8 => "mips",
            20 => "powerpc",
            21 => "powerpc64",
            22 => "s390x",
            40 => "arm",
            43 => "sparc64",
            62 => "x86_64",
            183 => "aarch64",
            243 => "riscv",
            258 => "loongarch64",
            other => return write!(f, "ELF machine {other}"),
        };
        let bits = if self.wide { 64 } else { 32 };
        let order = if self.big_endian { "big" } else { "little" };
        write!(f, "{name} ({bits}-bit, {order}-endian)")
    }
}

/// Reads the ELF header of the regular file at `path`, opened without blocking. `Ok(None)` when
/// it is not ELF (the loader judges); `Err` of kind `InvalidInput` when it is not a regular file.
pub(crate) fn read(path: &Path) -> io::Result<Option<Elf>> {
    let mut file = open_nonblocking(path)?;
    let len = file.metadata()?.len();
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
    let machine = Machine {
        number: field.get(0x12, 2) as u16,
        wide,
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
    let elf = |required_len| {
        Ok(Some(Elf {
            machine,
            required_len,
            len,
        }))
    };
    if program_headers_end > len || phentsize == 0 {
        return elf(required);
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
    elf(required)
}

/// Opens `path` for reading without waiting for a writer (a FIFO) and checks, on the open file,
/// that it is a regular file.
fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
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
        bytes[0x12..0x14].copy_from_slice(&62u16.to_le_bytes()); // e_machine: x86_64
        bytes[0x20..0x28].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        bytes[0x36..0x38].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        bytes[0x38..0x3A].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
        bytes[64..68].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        bytes[64 + 8..64 + 16].copy_from_slice(&offset.to_le_bytes());
        bytes[64 + 32..64 + 40].copy_from_slice(&filesz.to_le_bytes());
        bytes
    }

    fn required_len(path: &std::path::Path) -> io::Result<Option<u64>> {
        read(path).map(|elf| elf.map(|elf| elf.required_len))
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

    #[test]
    fn the_machine_is_read() {
        let elf = read(&write("machine", &elf64(0, 10))).unwrap().unwrap();
        assert_eq!(elf.machine.number, 62);
        assert!(elf.machine.wide && !elf.machine.big_endian);
        assert_eq!(elf.machine.to_string(), "x86_64 (64-bit, little-endian)");
    }

    #[test]
    fn a_fifo_is_not_read() {
        let path = std::env::temp_dir().join(format!("plux-elf-{}-fifo", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap();
        assert!(made.success());
        let error = read(&path).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        std::fs::remove_file(&path).unwrap();
    }
}
