package org.openkcm.keystore.audit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code keystore:audit verify [file]}: checks the chain of the live trail or of one file. */
@Component(
    service = AuditCommands.class,
    property = {"osgi.command.scope=keystore", "osgi.command.function=audit"})
public final class AuditCommands {
  private static final String USAGE = "usage: keystore:audit verify [file]\n";
  private final FileAuditSink sink;

  @Activate
  public AuditCommands(@Reference FileAuditSink sink) {
    this.sink = sink;
  }

  @Descriptor("checks the audit trail's chain: prints the entries checked and the first bad one")
  public String audit(@Descriptor("verify") String action) {
    return "verify".equals(action) ? run(null) : USAGE;
  }

  @Descriptor("checks one audit file's chain: prints the entries checked and the first bad one")
  public String audit(
      @Descriptor("verify") String action, @Descriptor("an audit file") String file) {
    if (!"verify".equals(action)) {
      return USAGE;
    }
    Path p = Path.of(file);
    if (!Files.isRegularFile(p)) {
      return "error: InvalidKeyRequest: no audit file " + p + "\n";
    }
    return run(p);
  }

  private String run(Path file) {
    try {
      ChainVerifier.Report r = sink.verify(file);
      return (r.ok() ? "OK: " : "TAMPERED: ") + r + "\n";
    } catch (IOException e) {
      return "error: BackendUnavailable: " + e.getMessage() + "\n";
    }
  }
}
