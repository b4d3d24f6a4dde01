package org.openkcm.keystore.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.inject.Inject;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

/**
 * Boots real Felix with SCR, ConfigAdmin, Metatype and our bundles, provisioned from the reactor's
 * jars (paths handed in by failsafe), so the tests run under {@code verify} with no install and
 * offline.
 */
public abstract class KeystoreTestSupport {

  /** How long any awaited condition may take before the test fails. */
  protected static final long TIMEOUT_MS = 30_000;

  @Inject protected BundleContext context;

  /** Third-party bundles first (start level order is irrelevant with SCR), then ours. */
  protected static Option baseOptions(String... extraBundleKeys) {
    List<Option> opts = new ArrayList<>();
    opts.add(systemProperty("pax.exam.logging").value("none"));
    opts.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
    opts.add(frameworkProperty("felix.log.level").value("1"));
    for (String key :
        new String[] {
          "paxlogging",
          "function",
          "promise",
          "component",
          "scr",
          "configadmin",
          "metatype",
          "caffeine",
          "snakeyaml",
          "gogo.runtime",
          "api",
          "inmemory",
          "core"
        }) {
      opts.add(bundleFromProperty(key));
    }
    for (String key : extraBundleKeys) {
      opts.add(bundleFromProperty(key));
    }
    opts.add(junitBundles());
    return composite(options(opts.toArray(new Option[0])));
  }

  protected static Option bundleFromProperty(String key) {
    String path = System.getProperty("bundle." + key);
    if (path == null || path.isEmpty() || path.startsWith("${")) {
      throw new IllegalStateException(
          "system property bundle." + key + " is not set: run through Maven (failsafe)");
    }
    return bundle(new File(path).toURI().toString());
  }

  /**
   * @return the installed bundle with that symbolic name
   */
  protected Bundle installedBundle(String symbolicName) {
    for (Bundle b : context.getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }

  /**
   * @return references of {@code type} services matching the LDAP {@code filter} (or all), possibly
   *     empty
   */
  protected <T> List<ServiceReference<T>> services(Class<T> type, String filter) {
    try {
      return new ArrayList<>(context.getServiceReferences(type, filter));
    } catch (org.osgi.framework.InvalidSyntaxException e) {
      throw new IllegalArgumentException(filter, e);
    }
  }

  /** Waits for {@code condition}, polling; fails with {@code what} after {@link #TIMEOUT_MS}. */
  protected static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      // a poll interval, not a fixed wait for an outcome: the loop exits as soon as the condition
      // holds
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  protected Bundle self() {
    return FrameworkUtil.getBundle(getClass());
  }
}
