package dev.berth.operator.dns;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A resolver for tests ("the outside world"): UDP and TCP on one address, A records for the names it is given,
 * NXDOMAIN for every other name; or, {@code silent}, never answering. Written with dnsjava, like the responder.
 */
public final class TinyResolver implements AutoCloseable {
    private final Map<String, String> names;
    private final boolean silent;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final AtomicInteger queries = new AtomicInteger();

    /** {@code names}: lower-case name without the trailing dot → IPv4 address. Port 0 picks a free one. */
    public TinyResolver(InetSocketAddress address, Map<String, String> names, boolean silent) throws IOException {
        this.names = Map.copyOf(names);
        this.silent = silent;
        this.udp = new DatagramSocket(address);
        this.tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(address.getAddress(), udp.getLocalPort()));
        Thread u = new Thread(this::serveUdp, "tiny-resolver-udp");
        u.setDaemon(true);
        u.start();
        Thread t = new Thread(this::serveTcp, "tiny-resolver-tcp");
        t.setDaemon(true);
        t.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** Queries received so far. */
    public int queries() {
        return queries.get();
    }

    private byte[] answer(byte[] data) throws IOException {
        Message query = new Message(data);
        Record question = query.getQuestion();
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.RA);
        reply.addRecord(question, Section.QUESTION);
        String name = question.getName().toString().toLowerCase(java.util.Locale.ROOT);
        String ip = names.get(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        if (ip == null) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A) {
            reply.addRecord(new ARecord(question.getName(), DClass.IN, 60, Address.getByAddress(ip)), Section.ANSWER);
        }
        return reply.toWire();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                queries.incrementAndGet();
                if (silent) {
                    continue;
                }
                byte[] reply = answer(java.util.Arrays.copyOf(buffer, packet.getLength()));
                udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a packet that is no query: go on until closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket socket = tcp.accept()) {
                queries.incrementAndGet();
                socket.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] data = new byte[in.readUnsignedShort()];
                in.readFully(data);
                if (silent) {
                    Thread.sleep(5000);
                    continue;
                }
                byte[] reply = answer(data);
                socket.getOutputStream().write(new byte[] {(byte) (reply.length >>> 8), (byte) reply.length});
                socket.getOutputStream().write(reply);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // closed, or a client that went away
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
