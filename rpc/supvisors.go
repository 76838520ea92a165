package rpc

import "net/http"

// SupvisorsAPIVersion is the version of the Supvisors API the spec documents.
const SupvisorsAPIVersion = "0.1"

// SupvisorsService is the `supvisors` XML-RPC namespace. Safe for concurrent
// use.
type SupvisorsService struct{}

// RegisterSupvisors registers svc as the `supvisors` namespace of s.
func RegisterSupvisors(s *Server, svc *SupvisorsService) error {
	return s.RegisterService("supvisors", svc, SnakeCase, supvisorsHelp)
}

var supvisorsHelp = map[string]string{
	"supvisors.get_api_version": "Return the version of the Supvisors XML-RPC API.\n@return string version",
}

// GetAPIVersion returns the Supvisors API version (get_api_version).
func (s *SupvisorsService) GetAPIVersion(_ *http.Request, _ *NoArgs, reply *string) error {
	*reply = SupvisorsAPIVersion
	return nil
}
