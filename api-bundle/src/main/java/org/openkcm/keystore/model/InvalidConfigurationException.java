package org.openkcm.keystore.model;

import java.util.Optional;

/**
 * A configuration value is refused (unknown section or field, malformed duration, value out of
 * range, rule naming no backend...). The message names the field and the limit or the accepted
 * values; nothing of the refused configuration was applied.
 *
 * <p>Distinct from {@link InvalidKeyRequestException}: that one refuses a caller's key request,
 * this one refuses what an operator configured ({@code config.yaml}, environment, ConfigAdmin).
 */
public class InvalidConfigurationException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * @param field the configuration field, e.g. {@code cache.L3.ttl}; {@code null} when the problem
   *     concerns no single field (an unreadable file)
   * @param problem what is wrong, with the limit or the accepted values
   */
  public InvalidConfigurationException(String field, String problem) {
    this(field, problem, null);
  }

  /**
   * @param field the configuration field, or {@code null}
   * @param problem what is wrong, with the limit or the accepted values
   * @param cause the underlying failure (a parser's), never one carrying a secret
   */
  public InvalidConfigurationException(String field, String problem, Throwable cause) {
    super(field == null ? problem : field + ": " + problem, null, null, cause);
    this.field = field;
  }

  /**
   * @return the configuration field that was refused, e.g. {@code cache.L3.ttl}, when there is one.
   */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
