package org.openkcm.keystore.pkcs11.internal;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.openkcm.keystore.model.InvalidKeyRequestException;
import org.openkcm.keystore.model.KeystoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root key's versions in the token ({@link KeyLabels}): which one is current, creating the first,
 * rotating to the next. Creation and rotation only add keys; no key is ever deleted here.
 */
final class RootKeyVersions {
    private static final Logger LOG = LoggerFactory.getLogger(RootKeyVersions.class);
    private final Pkcs11Settings settings;
    private final TokenConnection conn;
    private volatile String current;

    RootKeyVersions(Pkcs11Settings settings, TokenConnection conn) {
        this.settings = settings;
        this.conn = conn;
        this.current = settings.keyLabel();
    }

    /** @return the label new wraps use */
    String current() {
        return current;
    }

    /** Makes the highest version in the token current; creates version 1 if there is none and {@code create}. */
    void pick(TokenSession s, boolean create) throws GeneralSecurityException {
        int v = KeyLabels.highest(settings.keyLabel(), s.labels());
        if (v == 0 && create) {
            s.generate(settings.keyLabel());
            LOG.info("PKCS#11 root key '{}' created in token {} on first start (AES-256, sensitive, non-extractable)", settings.keyLabel(),
                    settings.tokenName());
            v = 1;
        }
        if (v > 0) {
            current = KeyLabels.label(settings.keyLabel(), v);
        }
    }

    /** Re-reads the token and checks the current key is there (health). */
    String check() throws KeystoreException {
        return conn.call("check the key", current, (s, l) -> {
            conn.refresh(s);
            pick(s, false);
            if (s.key(current) == null) {
                throw conn.missingKey(current);
            }
            return current;
        });
    }

    String create() throws KeystoreException {
        conn.connect(true);
        return conn.call("create the key", settings.keyLabel(), (s, label) -> {
            conn.refresh(s);
            if (KeyLabels.highest(settings.keyLabel(), s.labels()) > 0) {
                throw new InvalidKeyRequestException("keyLabel", "token " + settings.tokenName() + " already holds root key '" + label
                        + "' (use keystore:rootkey rotate for a new one)");
            }
            s.generate(label);
            current = label;
            LOG.info("PKCS#11 root key '{}' created in token {} (AES-256, sensitive, non-extractable)", label, settings.tokenName());
            return label;
        });
    }

    String rotate() throws KeystoreException {
        conn.connect(true);
        return conn.call("rotate the key", current, (s, old) -> {
            conn.refresh(s);
            int v = KeyLabels.highest(settings.keyLabel(), s.labels());
            if (v == 0) {
                throw conn.missingKey(settings.keyLabel());
            }
            String next = KeyLabels.label(settings.keyLabel(), v + 1);
            s.generate(next);
            current = next;
            LOG.info("PKCS#11 root key rotated in token {}: '{}' is current, '{}' and older still unwrap", settings.tokenName(), next,
                    KeyLabels.label(settings.keyLabel(), v));
            return next;
        });
    }

    /** @return the versions the token holds, oldest first */
    List<String> labels() throws KeystoreException {
        return conn.call("list keys", current, (s, l) -> {
            conn.refresh(s);
            List<String> out = new ArrayList<>();
            for (String label : s.labels()) {
                if (KeyLabels.version(settings.keyLabel(), label) > 0) {
                    out.add(label);
                }
            }
            out.sort((a, b) -> Integer.compare(KeyLabels.version(settings.keyLabel(), a), KeyLabels.version(settings.keyLabel(), b)));
            return out;
        });
    }

    /** @return the key handle under {@code label} (tests, inspection) */
    SecretKey handle(String label) throws KeystoreException {
        return conn.call("inspect the key", label, (s, l) -> {
            SecretKey k = s.key(l);
            if (k == null) {
                throw conn.missingKey(l);
            }
            return k;
        });
    }
}
