package org.openkcm.keystore.pluginhost.internal;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openkcm.keystore.spi.Keystore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One component per plugin entry (factory PID {@value #PID}: config.yaml {@code plugins:} list or
 * Karaf {@code org.openkcm.keystore.goplugin-<name>.cfg}). A changed entry starts the new process
 * before it stops the old one (unregistered, drained, Controller/Shutdown); callers wait up to
 * {@code plugins.absentWait} in the core for any gap between the two, as for any backend swap. A
 * removed entry stops the process. An invalid entry is logged naming the field and runs nothing.
 */
@Component(
    service = {},
    configurationPid = PluginHostComponent.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PluginConfig.class, factory = true)
public final class PluginHostComponent {
  public static final String PID = "org.openkcm.keystore.goplugin";
  private static final Logger LOG = LoggerFactory.getLogger(PluginHostComponent.class);
  private static final AtomicInteger RANKING = new AtomicInteger();

  /** How long a replacement may take to register before the process it replaces is stopped. */
  static final Duration HANDOVER = Duration.ofSeconds(1);

  private final BundleContext context;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(
          1, new DefaultThreadFactory("openkcm-plugin-io", true), NioIoHandler.newFactory());
  private PluginSupervisor supervisor;

  @Activate
  public PluginHostComponent(BundleContext context, PluginConfig config) {
    this.context = context;
    configure(config);
  }

  @Modified
  synchronized void configure(PluginConfig config) {
    PluginSettings s;
    try {
      s = PluginSettings.from(config);
    } catch (IllegalArgumentException e) {
      LOG.error("{}; entry ignored", e.getMessage());
      return;
    }
    // start, then stop: the new process is launched while the old one still serves. One that holds
    // no exclusive resource is registered (higher ranking) and takes over with no gap at all; the
    // old one is stopped (unregistered, its running calls drained, Controller/Shutdown) once the
    // new
    // one is registered or after HANDOVER. One that does hold such a resource waits for it in its
    // start-up (the reference plugin waits for its file lock) and opens the moment the old process
    // let go. Callers wait in the core for the gap up to plugins.absentWait, as for any swap.
    PluginSupervisor old = supervisor;
    supervisor = null;
    if (!s.disabled()) {
      supervisor =
          new PluginSupervisor(s, group, this::register, RANKING.incrementAndGet(), null).start();
      if (old != null) {
        supervisor.awaitRegistered(HANDOVER);
      }
    } else {
      LOG.info("plugin '{}': disabled", s.name());
    }
    if (old != null) {
      old.stop();
    }
  }

  private Runnable register(Keystore keystore, java.util.Map<String, Object> properties) {
    Dictionary<String, Object> d = new Hashtable<>(properties);
    ServiceRegistration<Keystore> reg = context.registerService(Keystore.class, keystore, d);
    return () -> {
      try {
        reg.unregister();
      } catch (IllegalStateException e) {
        // already unregistered with the bundle
      }
    };
  }

  @Deactivate
  synchronized void deactivate() {
    if (supervisor != null) {
      supervisor.stop();
      supervisor = null;
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
