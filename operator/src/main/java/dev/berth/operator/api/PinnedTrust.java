package dev.berth.operator.api;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate: the one whose SHA-256 the host published in its record. No CA, no host
 * name check (the address comes from the same record; the fingerprint is what identifies the operator). Extended,
 * so the JDK adds no host name check of its own.
 */
final class PinnedTrust extends X509ExtendedTrustManager {
    private final String sha256;
    /** What the server presented when it was not the pinned certificate, for the error message; null otherwise. */
    private volatile String mismatch;

    PinnedTrust(String sha256) {
        this.sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
    }

    String mismatch() {
        return mismatch;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        String presented = ApiCertificate.fingerprint(chain[0]);
        if (!java.security.MessageDigest.isEqual(presented.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                sha256.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            mismatch = presented;
            throw new CertificateException("certificate sha256 " + presented + " is not the pinned " + sha256);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
