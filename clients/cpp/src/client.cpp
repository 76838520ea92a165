// The Client: XML-RPC over HTTP. xmlrpc-c writes the calls and reads the
// replies; the HTTP is libcurl's easy interface, used directly rather than
// through xmlrpc-c's curl transport, because that transport (1.33, Debian's)
// notices an expired timeout only at its next 3-second poll, and reports
// every failure as one error whose kind is only in its text. Here the
// timeout is exact and each failure has its exception type.
#include <supvisors/client.hpp>

#include <curl/curl.h>
#include <xmlrpc-c/base.h>
#include <xmlrpc-c/xml.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace supvisors {

namespace {

// maxReply bounds a reply's size: a reply beyond it is a ProtocolError rather
// than memory without bound. 64 MiB is some 50,000 processes of
// getAllProcessInfo.
constexpr std::size_t maxReply = 64 << 20;

// initialize does what the process needs once, before the first handle:
// libcurl's global state, and xmlrpc-c's limit on the size of the XML it
// parses (512 KiB by default, less than getAllProcessInfo with 1,000
// processes), which is process-wide: it is only ever raised, to maxReply.
void initialize() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error("libcurl cannot be initialized");
    if (xmlrpc_limit_get(XMLRPC_XML_SIZE_LIMIT_ID) < maxReply) xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, maxReply);
  });
}

// hostPart is address as a URL's host: an IPv6 address in brackets.
std::string hostPart(const std::string& address) {
  if (address.find(':') != std::string::npos && address.front() != '[') return "[" + address + "]";
  return address;
}

}  // namespace

// Impl is one libcurl handle, which keeps its connection between calls; the
// mutex serializes the calls that share it.
struct Client::Impl {
  std::string url;
  std::string user;
  std::string password;
  std::atomic<long> timeoutMs{0};

  std::mutex mutex;  // guards all below
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  std::string reply;
  bool replyTooLarge = false;
  char curlError[CURL_ERROR_SIZE] = {};

  Impl(std::string url_, std::string user_, std::string password_)
      : url(std::move(url_)), user(std::move(user_)), password(std::move(password_)) {
    initialize();
    curl = curl_easy_init();
    if (curl == nullptr) throw Error("libcurl cannot make a handle");
    // Expect: off, so that a large call is sent at once, without waiting for
    // a 100 Continue.
    headers = curl_slist_append(headers, "Content-Type: text/xml");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "supvisors-cpp-client");
    // No signals: the timeouts of a handle then work in any thread.
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlError);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    if (!user.empty() || !password.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
    }
  }

  ~Impl() {
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
  }

  // write appends what libcurl received to reply, up to maxReply.
  static std::size_t write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* impl = static_cast<Impl*>(user);
    const std::size_t length = size * count;
    if (impl->reply.size() + length > maxReply) {
      impl->replyTooLarge = true;
      return 0;
    }
    impl->reply.append(data, length);
    return length;
  }

  // post sends body and returns the body of the server's 200 reply; every
  // other outcome throws the exception of its kind.
  std::string post(const std::string& method, const std::string& body) {
    const std::lock_guard<std::mutex> lock(mutex);
    reply.clear();
    replyTooLarge = false;
    curlError[0] = '\0';
    const long timeout = timeoutMs.load();
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    const CURLcode code = curl_easy_perform(curl);
    const std::string where = method + ": " + url;
    const std::string detail = curlError[0] != '\0' ? curlError : curl_easy_strerror(code);
    switch (code) {
      case CURLE_OK:
        break;
      case CURLE_OPERATION_TIMEDOUT:
        throw TimeoutError(where + ": no reply within " + std::to_string(timeout) + " ms (" + detail + ")");
      case CURLE_WRITE_ERROR:
        if (replyTooLarge) throw ProtocolError(where + ": a reply of more than " + std::to_string(maxReply) + " bytes");
        throw Error(where + ": " + detail);
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
        throw ConnectionError(where + ": connection failed: " + detail);
      case CURLE_WEIRD_SERVER_REPLY:
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_BAD_CONTENT_ENCODING:
        throw ProtocolError(where + ": the reply is not HTTP (" + detail + ")");
      default:
        throw Error(where + ": " + detail);
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 401 && user.empty() && password.empty()) {
      throw AuthenticationError(where + ": the server requires credentials (HTTP 401)");
    }
    if (status == 401) {
      throw AuthenticationError(where + ": the server refused the credentials of user '" + user + "' (HTTP 401)");
    }
    if (status != 200) throw ProtocolError(where + ": HTTP status " + std::to_string(status) + ", not an XML-RPC reply");
    return std::move(reply);
  }
};

Client::Client(const std::string& address, int port, const std::string& user, const std::string& password) {
  if (address.empty()) throw std::invalid_argument("supvisors::Client: empty address");
  if (port < 1 || port > 65535) {
    throw std::invalid_argument("supvisors::Client: port " + std::to_string(port) + " is not in 1-65535");
  }
  impl_ = std::make_unique<Impl>("http://" + hostPart(address) + ":" + std::to_string(port) + "/RPC2", user,
                                 password);
}

Client::~Client() = default;

void Client::setTimeout(std::chrono::milliseconds timeout) {
  if (timeout.count() < 0) throw std::invalid_argument("supvisors::Client: negative timeout");
  impl_->timeoutMs.store(static_cast<long>(timeout.count()));
}

std::chrono::milliseconds Client::timeout() const { return std::chrono::milliseconds(impl_->timeoutMs.load()); }

const std::string& Client::url() const { return impl_->url; }

xmlrpc_c::value Client::call(const std::string& method, const std::vector<xmlrpc_c::value>& params) {
  xmlrpc_c::paramList list;
  for (const auto& param : params) list.add(param);
  std::string request;
  xmlrpc_c::xml::generateCall(method, list, &request);
  const std::string reply = impl_->post(method, request);
  xmlrpc_c::rpcOutcome outcome;
  try {
    xmlrpc_c::xml::parseResponse(reply, &outcome);
  } catch (const std::exception& e) {
    throw ProtocolError(method + ": " + impl_->url + ": the reply is not XML-RPC: " + e.what());
  }
  if (!outcome.succeeded()) {
    const xmlrpc_c::fault fault = outcome.getFault();
    throw Fault(static_cast<int>(fault.getCode()), fault.getDescription());
  }
  return outcome.getResult();
}

}  // namespace supvisors
