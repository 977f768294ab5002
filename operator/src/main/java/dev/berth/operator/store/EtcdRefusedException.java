package dev.berth.operator.store;

/**
 * etcd cannot be used with this configuration, whether etcd said so or Berth saw it first: a TLS file that is wrong,
 * a certificate etcd or Berth does not trust, a wrong or empty password, a role without rights on Berth's prefix.
 * Unlike an outage, waiting does not help; a person has to change a file or a credential, which the message names.
 */
public class EtcdRefusedException extends StoreException {
    public EtcdRefusedException(String message) {
        super(message);
    }

    public EtcdRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
