package org.openkcm.keystore.pluginhost.internal;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
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
 * Karaf {@code org.openkcm.keystore.goplugin-<name>.cfg}). A changed entry stops the old process
 * (Controller/Shutdown, ~2 s, kill) and starts the new one; meanwhile the core holds callers up to
 * {@code plugins.absentWait}, as for any backend swap. A removed entry stops the process. An
 * invalid entry is logged naming the field and runs nothing.
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
    // stop, then start: a plugin may hold an exclusive resource (bbolt locks its file), so two
    // processes of one
    // entry never run at once; callers meanwhile wait for the backend up to plugins.absentWait, as
    // for any swap
    if (supervisor != null) {
      supervisor.stop();
      supervisor = null;
    }
    if (s.disabled()) {
      LOG.info("plugin '{}': disabled", s.name());
      return;
    }
    supervisor =
        new PluginSupervisor(s, group, this::register, RANKING.incrementAndGet(), null).start();
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
