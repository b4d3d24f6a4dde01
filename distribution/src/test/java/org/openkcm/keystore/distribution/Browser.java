package org.openkcm.keystore.distribution;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real headless Chromium from Debian, driven by Selenium with the driver and browser given
 * explicitly so Selenium Manager downloads nothing (SE_OFFLINE=true is set by failsafe as well).
 * Outside hosts do not resolve (host-resolver-rules), loopback does.
 */
final class Browser implements AutoCloseable {
  final ChromeDriver driver;
  private final ChromeDriverService service;

  Browser(Path profileDir) throws IOException {
    Files.createDirectories(profileDir);
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1600",
        "--user-data-dir=" + profileDir.toAbsolutePath(),
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost");
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  WebDriverWait waitUpTo(Duration d) {
    return new WebDriverWait(driver, d);
  }

  /** Waits until the page body (as drawn, JavaScript included) contains {@code text}. */
  void waitForText(String text, Duration atMost) {
    waitUpTo(atMost)
        .until((WebDriver d) -> d.findElement(By.tagName("body")).getText().contains(text));
  }

  String bodyText() {
    return driver.findElement(By.tagName("body")).getText();
  }

  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
