package io.wasmbed.device.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.wasmbed.protocol.Envelope;
import io.wasmbed.protocol.Message;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TLS connection to the gateway, from TCP connect to close. Numbers the device's own messages
 * from 1 upward; replies reuse the id of the request they answer. Thread-safe: app output arrives
 * from sandbox threads, acks from the worker, heartbeats from the event loop.
 */
public final class Session {

  private static final Logger log = LoggerFactory.getLogger(Session.class);
  private static final AttributeKey<Session> KEY = AttributeKey.valueOf("wasmbed.session");

  private final Channel channel;
  private final AtomicLong lastId = new AtomicLong();
  private volatile boolean established;
  private volatile boolean heard;
  private volatile boolean hung;

  private Session(Channel channel) {
    this.channel = channel;
  }

  /** Attaches a new session to a channel that is being initialised. */
  public static Session attach(Channel channel) {
    Session session = new Session(channel);
    channel.attr(KEY).set(session);
    return session;
  }

  public static Session of(Channel channel) {
    return channel.attr(KEY).get();
  }

  public Channel channel() {
    return channel;
  }

  /** Sends a device-initiated message under the next id; returns that id, or -1 if not sent. */
  public long send(Message message) {
    if (hung || !channel.isActive()) {
      return -1;
    }
    long id = lastId.incrementAndGet();
    write(Envelope.of(id, message));
    return id;
  }

  /**
   * Sends a message only if the channel can take it now; for app output, which is dropped rather
   * than queued when the gateway reads slower than apps publish.
   */
  public boolean offer(Message message) {
    return channel.isWritable() && send(message) >= 0;
  }

  /** Answers the gateway's request {@code requestId}. */
  public boolean reply(long requestId, Message message) {
    if (hung || !channel.isActive()) {
      log.debug("Reply {} #{} dropped: connection gone", name(message), requestId);
      return false;
    }
    write(Envelope.of(requestId, message));
    return true;
  }

  private void write(Envelope envelope) {
    log.debug("Sending {} #{}", name(envelope.message()), envelope.messageId());
    channel.writeAndFlush(envelope, channel.voidPromise());
  }

  public boolean established() {
    return established;
  }

  public void markEstablished() {
    established = true;
  }

  /** Marks that the gateway sent a valid message; returns true the first time. */
  public boolean markHeard() {
    if (heard) {
      return false;
    }
    heard = true;
    return true;
  }

  /** Whether the gateway sent a valid message on this connection. */
  public boolean heard() {
    return heard;
  }

  public boolean hung() {
    return hung;
  }

  public void markHung() {
    hung = true;
  }

  static String name(Message message) {
    return message.getClass().getSimpleName();
  }
}
