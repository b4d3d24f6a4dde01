package org.openkcm.keystore.webconsole.internal;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Buffers an HTML response so {@link TokenScript} can be put into it; anything else (JSON, scripts,
 * downloads) streams through untouched. Whether to buffer is decided when the servlet first asks
 * for its writer or stream, by the content type set by then (the console sets it first).
 */
final class InjectingResponse extends HttpServletResponseWrapper {
  private final String token;
  private ByteArrayOutputStream buffer;
  private PrintWriter writer;
  private ServletOutputStream stream;
  private boolean decided;

  InjectingResponse(HttpServletResponse response, String token) {
    super(response);
    this.token = token;
  }

  private boolean buffering() {
    if (!decided) {
      decided = true;
      String type = getContentType();
      if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/html")) {
        buffer = new ByteArrayOutputStream();
      }
    }
    return buffer != null;
  }

  private boolean html() {
    String type = getContentType();
    return buffer != null
        || !decided
            && type != null
            && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/html");
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (!buffering()) {
      return super.getWriter();
    }
    if (writer == null) {
      writer = new PrintWriter(new OutputStreamWriter(buffer, charset()));
    }
    return writer;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (!buffering()) {
      return super.getOutputStream();
    }
    if (stream == null) {
      stream = new BufferStream(buffer);
    }
    return stream;
  }

  @Override
  public void setContentLength(int len) {
    if (!html()) {
      super.setContentLength(len);
    }
  }

  @Override
  public void setContentLengthLong(long len) {
    if (!html()) {
      super.setContentLengthLong(len);
    }
  }

  @Override
  public void setHeader(String name, String value) {
    if (!"Content-Length".equalsIgnoreCase(name) || !html()) {
      super.setHeader(name, value);
    }
  }

  @Override
  public void flushBuffer() throws IOException {
    if (buffer == null) {
      super.flushBuffer();
    } else if (writer != null) {
      writer.flush();
    }
  }

  @Override
  public void resetBuffer() {
    super.resetBuffer();
    if (buffer != null) {
      buffer.reset();
    }
  }

  @Override
  public void reset() {
    super.reset();
    buffer = null;
    writer = null;
    stream = null;
    decided = false;
  }

  /** Writes the buffered page, with the script, to the real response. */
  void finish() throws IOException {
    if (buffer == null || isCommitted()) { // nothing buffered, or an error page was sent instead
      return;
    }
    if (writer != null) {
      writer.flush();
    }
    Charset cs = charset();
    byte[] out = TokenScript.inject(buffer.toString(cs), token).getBytes(cs);
    super.setContentLength(out.length);
    ServletOutputStream real = super.getOutputStream();
    real.write(out);
    real.flush();
  }

  private Charset charset() {
    String enc = getCharacterEncoding();
    try {
      return enc == null ? StandardCharsets.ISO_8859_1 : Charset.forName(enc);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private static final class BufferStream extends ServletOutputStream {
    private final ByteArrayOutputStream out;

    BufferStream(ByteArrayOutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      out.write(b, off, len);
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new UnsupportedOperationException("blocking console responses only");
    }
  }
}
