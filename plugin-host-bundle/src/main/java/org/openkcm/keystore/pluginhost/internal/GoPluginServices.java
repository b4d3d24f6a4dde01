package org.openkcm.keystore.pluginhost.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Empty;
import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The two go-plugin services the host calls besides the backend: {@code
 * plugin.GRPCController/Shutdown} and {@code plugin.GRPCStdio/StreamStdio} (go-plugin's
 * internal/plugin protos: Empty in, and a stream of {@code StdioData{channel = 1, data = 2}}).
 * Small enough to describe by hand instead of generating.
 */
final class GoPluginServices {
  static final MethodDescriptor<Empty, Empty> SHUTDOWN =
      MethodDescriptor.<Empty, Empty>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("plugin.GRPCController/Shutdown")
          .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .build();

  static final MethodDescriptor<Empty, String> STDIO =
      MethodDescriptor.<Empty, String>newBuilder()
          .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
          .setFullMethodName("plugin.GRPCStdio/StreamStdio")
          .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .setResponseMarshaller(new StdioText())
          .build();

  private GoPluginServices() {}

  /** Decodes StdioData to its text; the host never sends one. */
  private static final class StdioText implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public String parse(InputStream stream) {
      try {
        CodedInputStream in = CodedInputStream.newInstance(stream);
        String text = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          if (WireFormat.getTagFieldNumber(tag) == 2
              && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            text = new String(in.readByteArray(), StandardCharsets.UTF_8);
          } else {
            in.skipField(tag);
          }
        }
        return text;
      } catch (IOException e) {
        return "";
      }
    }
  }
}
