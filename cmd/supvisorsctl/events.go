package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/supvisors/supvisors-go/api"
	"github.com/supvisors/supvisors-go/client"
)

// eventsCommand is `events [--topics a,b] [--json]`: it follows the
// agent's event stream (GET /events, Server-Sent Events) until Ctrl-C.
func (c *ctl) eventsCommand() *cobra.Command {
	var topics string
	cmd := &cobra.Command{
		Use:     "events [--topics supvisors,address,application,process,event,hstats,pstats]",
		Short:   "Follow the cluster's events (one line each; --json: one JSON object each)",
		GroupID: groupSupvisors,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_ = c.followEvents(topics)
			return nil
		},
	}
	cmd.Flags().StringVar(&topics, "topics", "", "comma-separated topics to follow (default: all)")
	return cmd
}

// streamEvent is an event as --json prints it.
type streamEvent struct {
	ID    string          `json:"id"`
	Topic string          `json:"topic"`
	Data  json.RawMessage `json:"data"`
}

// followEvents prints the stream's events as they come. The agent ending
// the stream, or dropping a consumer that lags, is an error (exit 1).
func (c *ctl) followEvents(topics string) error {
	ctx, stop := signal.NotifyContext(c.ctx(), os.Interrupt)
	defer stop()
	path := "/events"
	if topics != "" {
		path += "?topics=" + topics
	}
	req, httpClient, err := c.followRequest(ctx, path)
	if err != nil {
		return c.badURL(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := httpClient.Do(req)
	if err != nil {
		return c.fail(unwrapURLError(err))
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return c.fail(client.ErrUnauthorized)
	case http.StatusBadRequest:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		c.line("Error: " + strings.TrimSpace(string(body)))
		c.exit = exitInvalidArgs
		return errAbort
	default:
		return c.fail(fmt.Errorf("%s%s: HTTP %s", c.shownURL(), path, resp.Status))
	}
	err = c.readEvents(resp.Body)
	if ctx.Err() != nil {
		return nil
	}
	if err == nil {
		err = errors.New("the agent ended the stream")
	}
	return c.fail(err)
}

// readEvents parses the stream and prints each event, until it ends (nil)
// or fails; a comment saying the consumer was dropped is an error.
func (c *ctl) readEvents(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var e streamEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if e.Topic != "" {
				c.printEvent(e)
			}
			e = streamEvent{}
		case strings.HasPrefix(line, ": dropped"):
			return errors.New("the agent dropped this consumer" + strings.TrimPrefix(line, ": dropped"))
		case strings.HasPrefix(line, "id: "):
			e.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			e.Topic = line[7:]
		case strings.HasPrefix(line, "data: "):
			e.Data = json.RawMessage(line[6:])
		}
	}
	return sc.Err()
}

// printEvent prints one event: a JSON line with --json, else the topic and
// what it says in a few words.
func (c *ctl) printEvent(e streamEvent) {
	if c.opts.json {
		line, err := json.Marshal(e)
		if err != nil {
			line, _ = json.Marshal(streamEvent{ID: e.ID, Topic: e.Topic, Data: json.RawMessage("null")})
		}
		fmt.Fprintln(c.stdout, string(line))
		return
	}
	var d map[string]any
	_ = json.Unmarshal(e.Data, &d)
	s := func(key string) string {
		if v, ok := d[key]; ok {
			return fmt.Sprint(v)
		}
		return "?"
	}
	var text string
	switch e.Topic {
	case "supvisors":
		text = s("statename")
	case "address":
		text = fmt.Sprintf("%s %s loading=%s%%", s("address_name"), s("statename"), s("loading"))
	case "application":
		text = fmt.Sprintf("%s %s major_failure=%s minor_failure=%s", s("application_name"), s("statename"),
			s("major_failure"), s("minor_failure"))
	case "process":
		text = fmt.Sprintf("%s %s addresses=%s", api.Namespec(s("application_name"), s("process_name")),
			s("statename"), s("addresses"))
	case "event":
		text = fmt.Sprintf("%s %s pid=%s on %s", api.Namespec(s("group"), s("name")), s("statename"), s("pid"),
			s("address"))
		if err := s("spawnerr"); err != "" && err != "?" {
			text += " (" + err + ")"
		}
	default:
		text = string(e.Data)
	}
	fmt.Fprintf(c.stdout, "%-11s %s\n", e.Topic, text)
}
