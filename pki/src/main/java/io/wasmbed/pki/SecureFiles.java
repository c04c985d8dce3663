package io.wasmbed.pki;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Atomic file writes for PKI material. */
final class SecureFiles {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  /** Writes via a temp file created rw------- in the same directory, then an atomic move. */
  static void writeOwnerOnly(Path file, byte[] content) {
    write(file, content, true);
  }

  /** Writes via a temp file in the same directory, then an atomic move. */
  static void writeAtomically(Path file, byte[] content) {
    write(file, content, false);
  }

  /** Creates {@code dir} (and parents) if missing; a newly created leaf directory is rwx------. */
  static void createPrivateDirectories(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        return;
      }
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (isPosix(parent)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      // Another process created it between the check and the create; fine.
    } catch (IOException e) {
      throw new PkiException("cannot create directory " + dir, e);
    }
  }

  static Set<PosixFilePermission> posixPermissions(Path file) {
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      return view == null ? null : view.readAttributes().permissions();
    } catch (IOException e) {
      throw new PkiException("cannot read permissions of " + file, e);
    }
  }

  static String describe(Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.toString(permissions);
  }

  private static void write(Path file, byte[] content, boolean ownerOnly) {
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      FileAttribute<?>[] attributes =
          ownerOnly && isPosix(dir)
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
              : new FileAttribute<?>[0];
      temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attributes);
      Files.write(temp, content);
      if (!ownerOnly && isPosix(dir)) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      move(temp, file);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new PkiException("cannot write " + file, e);
    }
  }

  private static void move(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static boolean isPosix(Path dir) {
    return dir != null && Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null) {
      return;
    }
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // The original failure is what the caller needs to see.
    }
  }
}
