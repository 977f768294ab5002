package dev.berth.operator.dns;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Pure: the responder's own answers as DNS messages (dnsjava writes the wire format; nothing here by hand). */
final class Replies {
    /** Seconds a Berth answer may be cached: replicas move, and the issue allows at most 5 s. */
    static final long TTL = 2;
    /** The UDP payload we accept and offer with EDNS (the DNS flag day's size, no fragments). */
    static final int EDNS_PAYLOAD = 1232;
    private static final int PLAIN_UDP = 512;
    private static final int TCP = 65535;

    private Replies() {
    }

    /** The largest reply the asker takes: 512 bytes over plain UDP, its EDNS size (up to ours), 64 KiB over TCP. */
    static int maxSize(Message query, boolean tcp) {
        if (tcp) {
            return TCP;
        }
        OPTRecord opt = query.getOPT();
        return opt == null ? PLAIN_UDP : Math.max(PLAIN_UDP, Math.min(EDNS_PAYLOAD, opt.getPayloadSize()));
    }

    /** A Berth name's answer: A records (in the answer's order) or none, NOERROR or NXDOMAIN, authoritative. */
    static byte[] answer(Message query, NameTable.Answer answer, boolean tcp) {
        Message reply = reply(query, answer.kind() == NameTable.Kind.NXDOMAIN ? Rcode.NXDOMAIN : Rcode.NOERROR);
        reply.getHeader().setFlag(Flags.AA);
        Record question = query.getQuestion();
        for (String ip : answer.ips()) {
            try {
                reply.addRecord(new ARecord(question.getName(), DClass.IN, TTL, Address.getByAddress(ip, Address.IPv4)),
                        Section.ANSWER);
            } catch (UnknownHostException e) {
                // not an IPv4 literal (a hand-written list): that endpoint has no address to give
            }
        }
        return reply.toWire(maxSize(query, tcp));
    }

    /** Only the header and question, with {@code rcode} (SERVFAIL, NOTIMP, FORMERR, REFUSED). */
    static byte[] status(Message query, int rcode, boolean tcp) {
        return reply(query, rcode).toWire(maxSize(query, tcp));
    }

    /**
     * REFUSED or FORMERR for bytes that may not parse: with the question when they do, else just the id (null for
     * fewer than a header's 12 bytes, or a packet that is itself a response: nothing to answer).
     */
    static byte[] status(byte[] raw, int rcode) {
        if (raw.length < 12 || (raw[2] & 0x80) != 0) {
            return null;
        }
        try {
            return status(new Message(raw), rcode, false);
        } catch (IOException e) {
            Message reply = new Message(((raw[0] & 0xff) << 8) | (raw[1] & 0xff));
            reply.getHeader().setFlag(Flags.QR);
            reply.getHeader().setRcode(rcode);
            return reply.toWire();
        }
    }

    private static Message reply(Message query, int rcode) {
        Header in = query.getHeader();
        Message reply = new Message(in.getID());
        Header out = reply.getHeader();
        out.setFlag(Flags.QR);
        out.setOpcode(in.getOpcode());
        if (in.getFlag(Flags.RD)) {
            out.setFlag(Flags.RD);
        }
        // Recursion is available: what is not ours is forwarded.
        out.setFlag(Flags.RA);
        out.setRcode(rcode);
        List<Record> question = query.getSection(Section.QUESTION);
        if (!question.isEmpty()) {
            reply.addRecord(question.get(0), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            reply.addRecord(new OPTRecord(EDNS_PAYLOAD, 0, 0), Section.ADDITIONAL);
        }
        return reply;
    }
}
