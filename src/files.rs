//! The one place that reads and replaces article files on disk.
//!
//! Reading never blocks on a special file: the file is opened non-blocking and anything but a
//! regular file (a FIFO, a socket, a device) is refused with a message that names its type.
//!
//! Replacing never loses a byte. The new text goes to an unnamed temporary file in the target's
//! directory (`O_TMPFILE` where the file system has it, so a process killed mid-write leaves
//! nothing behind), gets the original's owner, group, mode and extended attributes, is synced,
//! and is renamed over the original only after the original is proven unchanged since it was
//! read (same inode, size, modification time and bytes). Symlinks are written through to their
//! target; read-only and hard-linked files are refused unless forced.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A regular file as it was read: where it really lives, its bytes, and what identifies that
/// version of it on disk.
#[derive(Debug)]
pub struct Original {
    /// The file itself, symlinks resolved: the path that gets replaced.
    pub target: PathBuf,
    pub bytes: Vec<u8>,
    stamp: Stamp,
}

/// What must still hold for the file on disk to be the version that was read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    device: u64,
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
    links: u64,
    owner: (u32, u32),
    mode: u32,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        Stamp {
            device: platform::device(metadata),
            inode: platform::inode(metadata),
            len: metadata.len(),
            modified: metadata.modified().ok(),
            links: platform::links(metadata),
            owner: platform::owner(metadata),
            mode: platform::mode(metadata),
        }
    }
}

/// Reads a regular file without blocking on special files.
pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    open_regular(path).and_then(|(mut file, _)| read_all(&mut file))
}

/// [`read`] into the start of `buf`, for callers that read thousands of files; returns how
/// many bytes the file had. The buffer is reused: it grows (zero-filled) to hold the file and
/// one byte more, and is never shrunk or cleared, so it is zeroed only where it grows. A file
/// costs an `open`, the one `fstat` that refuses special files and sizes the read, and
/// normally a single `read` (a short read of a regular file is its end).
pub fn read_into(path: &Path, buf: &mut Vec<u8>) -> Result<usize, String> {
    let opened = platform::open_nonblocking(path).map_err(|e| format!("cannot read: {e}"))?;
    read_regular_into(opened, buf)
}

/// A directory held open while many of its files are read: each is then opened by its name
/// alone, so the kernel looks up one component instead of every directory of the path (that
/// walk was a fifth of the kernel's share of indexing a workspace). A file is read as
/// [`read_into`] reads it.
#[derive(Debug)]
pub struct Directory {
    path: PathBuf,
    handle: platform::DirectoryHandle,
}

impl Directory {
    pub fn open(path: &Path) -> Result<Directory, String> {
        let handle = platform::open_directory(path).map_err(|e| format!("cannot open the directory: {e}"))?;
        Ok(Directory { path: path.to_path_buf(), handle })
    }

    /// The path the directory was opened by.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// [`read_into`] of the entry `name` of this directory.
    pub fn read_into(&self, name: &std::ffi::OsStr, buf: &mut Vec<u8>) -> Result<usize, String> {
        let opened = platform::open_in(&self.handle, &self.path, name).map_err(|e| format!("cannot read: {e}"))?;
        read_regular_into(opened, buf)
    }
}

/// Reads `file` into the start of `buf` if it is a regular file (see [`read_into`]).
fn read_regular_into(mut file: File, buf: &mut Vec<u8>) -> Result<usize, String> {
    let len = regular_len(&file)?;
    let room = usize::try_from(len).unwrap_or(0).saturating_add(1);
    if buf.len() < room {
        buf.resize(room, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            // The file grew since `fstat`: make room for more.
            buf.resize(buf.len().saturating_mul(2), 0);
        }
        let asked = buf.len() - filled;
        match file.read(&mut buf[filled..]) {
            Ok(n) => {
                filled += n;
                if n < asked {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read: {e}")),
        }
    }
    Ok(filled)
}

/// Reads a regular file and remembers which version of it was read, for [`replace`].
pub fn read_original(path: &Path) -> Result<Original, String> {
    let target = std::fs::canonicalize(path).map_err(|e| format!("cannot resolve the path: {e}"))?;
    let (mut file, before) = open_regular(&target)?;
    let bytes = read_all(&mut file)?;
    let after = Stamp::of(&file.metadata().map_err(|e| format!("cannot stat: {e}"))?);
    if before != after {
        return Err("the file changed while it was being read; try again".to_string());
    }
    Ok(Original { target, bytes, stamp: after })
}

/// Why a file was not replaced, beyond IO errors.
fn refusal(original: &Original, force: bool) -> Option<String> {
    if force {
        return None;
    }
    if original.stamp.mode & 0o222 == 0 {
        return Some("the file is read-only; not rewritten (use --force to rewrite it anyway)".to_string());
    }
    if original.stamp.links > 1 {
        return Some(format!(
            "the file has {} hard links and replacing it would split them; not rewritten \
             (use --force to rewrite it in place)",
            original.stamp.links
        ));
    }
    None
}

/// Replaces the file `original` was read from with `contents`, if it is still that version.
pub fn replace(original: &Original, contents: &[u8], force: bool) -> Result<(), String> {
    if let Some(why) = refusal(original, force) {
        return Err(why);
    }
    if original.stamp.links > 1 {
        return rewrite_in_place(original, contents);
    }
    let dir = original.target.parent().unwrap_or(Path::new("/"));
    let mut temp = platform::TempFile::new_in(dir).map_err(|e| format!("cannot create a temporary file: {e}"))?;
    temp.file().write_all(contents).map_err(|e| format!("cannot write: {e}"))?;
    copy_attributes(original, temp.file())?;
    temp.file().sync_all().map_err(|e| format!("cannot sync: {e}"))?;
    test_hook::hold_before_replace();
    verify_unchanged(original)?;
    temp.persist(&original.target).map_err(|e| format!("cannot replace the file: {e}"))?;
    if let Ok(dir) = File::open(dir) {
        // The rename is durable only once the directory is synced; failing here loses nothing.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Hard links share one inode: only writing into it keeps every name pointing at the new text.
fn rewrite_in_place(original: &Original, contents: &[u8]) -> Result<(), String> {
    verify_unchanged(original)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&original.target)
        .map_err(|e| format!("cannot open for writing: {e}"))?;
    file.write_all(contents).map_err(|e| format!("cannot write: {e}"))?;
    file.set_len(contents.len() as u64).map_err(|e| format!("cannot truncate: {e}"))?;
    file.sync_all().map_err(|e| format!("cannot sync: {e}"))
}

fn copy_attributes(original: &Original, temp: &File) -> Result<(), String> {
    let (uid, gid) = original.stamp.owner;
    platform::set_owner(temp, uid, gid)
        .map_err(|e| format!("cannot keep the file's owner {uid}:{gid} ({e}); not rewritten (run as its owner)"))?;
    platform::set_mode(temp, original.stamp.mode).map_err(|e| format!("cannot keep the file's mode: {e}"))?;
    if let Ok(source) = File::open(&original.target) {
        platform::copy_xattrs(&source, temp);
    }
    Ok(())
}

/// The last check before the rename: anything another program wrote since we read wins.
fn verify_unchanged(original: &Original) -> Result<(), String> {
    let changed = || "the file changed on disk since it was read; not rewritten (run fix again)".to_string();
    let (mut file, stamp) = open_regular(&original.target).map_err(|_| changed())?;
    if stamp != original.stamp {
        return Err(changed());
    }
    let now = read_all(&mut file).map_err(|_| changed())?;
    if now != original.bytes {
        return Err(changed());
    }
    Ok(())
}

/// Lets tests act at the one moment that matters: the new text is written to the temporary
/// file and the original is about to be verified and replaced. Set
/// `ARTICLE_LSP_TEST_HOLD_BEFORE_REPLACE` to a path: the file is created there, and the write
/// waits (at most 30 s) until the test deletes it.
mod test_hook {
    use std::time::{Duration, Instant};

    pub fn hold_before_replace() {
        let Some(marker) = std::env::var_os("ARTICLE_LSP_TEST_HOLD_BEFORE_REPLACE") else { return };
        if std::fs::write(&marker, b"").is_err() {
            return;
        }
        let start = Instant::now();
        while std::fs::exists(&marker).unwrap_or(false) && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

fn open_regular(path: &Path) -> Result<(File, Stamp), String> {
    let file = platform::open_nonblocking(path).map_err(|e| format!("cannot read: {e}"))?;
    let stamp = regular_stamp(&file)?;
    Ok((file, stamp))
}

/// The length of `file`, if it is a regular file: all a reader needs, from a plain `fstat`
/// (std's `metadata` asks `statx` for more, which costs the kernel more per file); anything
/// else is refused with [`regular_stamp`]'s message.
fn regular_len(file: &File) -> Result<u64, String> {
    match platform::regular_len(file) {
        Some(len) => Ok(len),
        None => regular_stamp(file).map(|stamp| stamp.len),
    }
}

/// What identifies an open file's version, if it is a regular file.
fn regular_stamp(file: &File) -> Result<Stamp, String> {
    let metadata = file.metadata().map_err(|e| format!("cannot stat: {e}"))?;
    if !metadata.is_file() {
        return Err(format!("not a regular file ({}), skipped", platform::kind_name(&metadata)));
    }
    Ok(Stamp::of(&metadata))
}

fn read_all(file: &mut File) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

#[cfg(unix)]
mod platform {
    use std::fs::{File, Metadata, OpenOptions, Permissions};
    use std::io;
    use std::os::fd::AsFd;
    use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};

    pub fn device(m: &Metadata) -> u64 {
        m.dev()
    }
    pub fn inode(m: &Metadata) -> u64 {
        m.ino()
    }
    pub fn links(m: &Metadata) -> u64 {
        m.nlink()
    }
    pub fn owner(m: &Metadata) -> (u32, u32) {
        (m.uid(), m.gid())
    }
    pub fn mode(m: &Metadata) -> u32 {
        m.mode() & 0o7777
    }

    pub fn kind_name(m: &Metadata) -> &'static str {
        let kind = m.file_type();
        if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_dir() {
            "a directory"
        } else {
            "a special file"
        }
    }

    /// Opening a FIFO for reading blocks until a writer appears; non-blocking mode returns at once.
    pub fn open_nonblocking(path: &Path) -> io::Result<File> {
        OpenOptions::new().read(true).custom_flags(OFlags::NONBLOCK.bits() as i32).open(path)
    }

    /// The length of a regular file; `None` for anything else or when `fstat` fails.
    pub fn regular_len(file: &File) -> Option<u64> {
        let stat = rustix::fs::fstat(file).ok()?;
        let regular = rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::RegularFile;
        regular.then(|| u64::try_from(stat.st_size).ok()).flatten()
    }

    pub type DirectoryHandle = std::os::fd::OwnedFd;

    pub fn open_directory(path: &Path) -> io::Result<DirectoryHandle> {
        Ok(rustix::fs::open(path, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?)
    }

    /// [`open_nonblocking`] of the entry `name` of an open directory.
    pub fn open_in(directory: &DirectoryHandle, _: &Path, name: &std::ffi::OsStr) -> io::Result<File> {
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
        Ok(File::from(rustix::fs::openat(directory, name, flags, Mode::empty())?))
    }

    pub fn set_owner(file: &File, uid: u32, gid: u32) -> io::Result<()> {
        let current = file.metadata()?;
        if (current.uid(), current.gid()) == (uid, gid) {
            return Ok(());
        }
        std::os::unix::fs::fchown(file, Some(uid), Some(gid))
    }

    pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
        file.set_permissions(Permissions::from_mode(mode))
    }

    /// Best effort: attributes the file system or our privileges refuse are left behind.
    pub fn copy_xattrs(source: &File, target: &File) {
        let mut names = vec![0u8; 4096];
        let Ok(len) = rustix::fs::flistxattr(source.as_fd(), &mut names[..]) else { return };
        for name in names[..len].split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let mut value = vec![0u8; 65536];
            if let Ok(n) = rustix::fs::fgetxattr(source.as_fd(), name, &mut value[..]) {
                let _ = rustix::fs::fsetxattr(target.as_fd(), name, &value[..n], rustix::fs::XattrFlags::empty());
            }
        }
    }

    /// A temporary file in a directory: unnamed until persisted where the OS allows it.
    pub struct TempFile {
        inner: Inner,
    }

    enum Inner {
        Unnamed { file: File, dir: PathBuf },
        Named(tempfile::NamedTempFile),
    }

    impl TempFile {
        pub fn new_in(dir: &Path) -> io::Result<TempFile> {
            let flags = OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC;
            let unnamed = rustix::fs::openat(CWD, dir, flags, Mode::from_raw_mode(0o600));
            let inner = match unnamed {
                Ok(fd) => Inner::Unnamed { file: File::from(fd), dir: dir.to_path_buf() },
                Err(_) => Inner::Named(tempfile::NamedTempFile::new_in(dir)?),
            };
            Ok(TempFile { inner })
        }

        pub fn file(&mut self) -> &mut File {
            match &mut self.inner {
                Inner::Unnamed { file, .. } => file,
                Inner::Named(named) => named.as_file_mut(),
            }
        }

        /// Gives the file a name beside `target` and renames it over `target`.
        pub fn persist(self, target: &Path) -> io::Result<()> {
            match self.inner {
                Inner::Named(named) => named.persist(target).map(drop).map_err(|e| e.error),
                Inner::Unnamed { file, dir } => {
                    let name = linked_name(&file, &dir)?;
                    std::fs::rename(&name, target).inspect_err(|_| {
                        let _ = std::fs::remove_file(&name);
                    })
                }
            }
        }
    }

    /// Links an `O_TMPFILE` file into `dir` under a fresh name (through `/proc/self/fd`, which
    /// needs no privilege, unlike `AT_EMPTY_PATH`).
    fn linked_name(file: &File, dir: &Path) -> io::Result<PathBuf> {
        use std::os::fd::AsRawFd;
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        for attempt in 0..16u32 {
            let name = dir.join(format!(".article-lsp-fix.{}.{attempt}.tmp", std::process::id()));
            match rustix::fs::linkat(CWD, proc_path.as_str(), CWD, &name, AtFlags::SYMLINK_FOLLOW) {
                Ok(()) => return Ok(name),
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(io::Error::new(io::ErrorKind::AlreadyExists, "no free temporary name"))
    }
}

#[cfg(not(unix))]
mod platform {
    use std::fs::{File, Metadata};
    use std::io;
    use std::path::Path;

    pub fn device(_: &Metadata) -> u64 {
        0
    }
    pub fn inode(_: &Metadata) -> u64 {
        0
    }
    pub fn links(_: &Metadata) -> u64 {
        1
    }
    pub fn owner(_: &Metadata) -> (u32, u32) {
        (0, 0)
    }
    pub fn mode(m: &Metadata) -> u32 {
        if m.permissions().readonly() { 0o444 } else { 0o644 }
    }
    pub fn kind_name(_: &Metadata) -> &'static str {
        "a special file"
    }
    /// `None`: the caller asks `metadata`.
    pub fn regular_len(_: &File) -> Option<u64> {
        None
    }

    pub fn open_nonblocking(path: &Path) -> io::Result<File> {
        File::open(path)
    }
    /// No directory handle here: its files are opened by their whole path.
    #[derive(Debug)]
    pub struct DirectoryHandle;
    pub fn open_directory(path: &Path) -> io::Result<DirectoryHandle> {
        std::fs::read_dir(path).map(|_| DirectoryHandle)
    }
    pub fn open_in(_: &DirectoryHandle, directory: &Path, name: &std::ffi::OsStr) -> io::Result<File> {
        File::open(directory.join(name))
    }
    pub fn set_owner(_: &File, _: u32, _: u32) -> io::Result<()> {
        Ok(())
    }
    pub fn set_mode(file: &File, mode: u32) -> io::Result<()> {
        let mut permissions = file.metadata()?.permissions();
        permissions.set_readonly(mode & 0o222 == 0);
        file.set_permissions(permissions)
    }
    pub fn copy_xattrs(_: &File, _: &File) {}

    pub struct TempFile(tempfile::NamedTempFile);

    impl TempFile {
        pub fn new_in(dir: &Path) -> io::Result<TempFile> {
            tempfile::NamedTempFile::new_in(dir).map(TempFile)
        }
        pub fn file(&mut self) -> &mut File {
            self.0.as_file_mut()
        }
        pub fn persist(self, target: &Path) -> io::Result<()> {
            self.0.persist(target).map(drop).map_err(|e| e.error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One buffer for files of every size, larger and smaller than the last, read by path and
    /// by name in their directory: each read gives exactly the file's bytes.
    #[test]
    fn a_reused_buffer_holds_each_file_exactly() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let contents: Vec<Vec<u8>> = [0, 5, 4_000, 3, 70_000, 0, 12]
            .iter()
            .enumerate()
            .map(|(i, &len)| (0..len).map(|b| (b % 251) as u8 ^ i as u8).collect())
            .collect();
        for (i, bytes) in contents.iter().enumerate() {
            std::fs::write(dir.path().join(format!("f{i}")), bytes).expect("written");
        }
        let directory = Directory::open(dir.path()).expect("opened");
        let mut buf = Vec::new();
        for (i, bytes) in contents.iter().enumerate() {
            let name = format!("f{i}");
            let len = read_into(&dir.path().join(&name), &mut buf).expect("read by path");
            assert_eq!(&buf[..len], &bytes[..], "{name} by path");
            let len = directory.read_into(name.as_ref(), &mut buf).expect("read by name");
            assert_eq!(&buf[..len], &bytes[..], "{name} by name");
        }
        let missing = directory.read_into("nothing".as_ref(), &mut buf);
        assert!(missing.is_err_and(|e| e.starts_with("cannot read")));
        let subdirectory = directory.read_into(".".as_ref(), &mut buf);
        assert!(matches!(&subdirectory, Err(e) if e.contains("a directory")), "{subdirectory:?}");
    }
}
