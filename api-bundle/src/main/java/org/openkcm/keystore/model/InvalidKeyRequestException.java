package org.openkcm.keystore.model;

/**
 * The request itself is wrong (bad id, unknown tier, oversized material, illegal transition...).
 * Nothing changed.
 */
public class InvalidKeyRequestException extends KeystoreException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidKeyRequestException(String field, String problem) {
    super(field + ": " + problem, null, null, null);
    this.field = field;
  }

  /**
   * @return the name of the offending field, e.g. {@code keyId}, {@code tier}, {@code tags.region}.
   */
  public String field() {
    return field;
  }
}
