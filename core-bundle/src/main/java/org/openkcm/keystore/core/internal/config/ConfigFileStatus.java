package org.openkcm.keystore.core.internal.config;

import java.nio.file.Path;

/**
 * What the config.yaml bridge did last: for the {@code keystore:config} command and in-container
 * tests.
 */
public interface ConfigFileStatus {

  /**
   * @return the watched file
   */
  Path file();

  /**
   * @return whether the watched file exists now
   */
  default boolean exists() {
    return java.nio.file.Files.isRegularFile(file());
  }

  /**
   * @return one line: applied (with the PIDs) or rejected (with the field and problem), and when
   */
  String lastOutcome();

  /**
   * @return how many times a read of the file (and environment) was applied
   */
  long appliedCount();

  /**
   * @return how many times a changed file was rejected
   */
  long rejectedCount();
}
