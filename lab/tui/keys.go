package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the dashboard's key bindings, defined once; help is generated
// from it. Panels keep their own keys in their own files and add them to
// help while they have focus.
type KeyMap struct {
	Next, Prev, Zoom, Back           key.Binding
	Command, Help, Quit              key.Binding
	Cancel                           key.Binding // closes the command bar
	SelectLeft, SelectRight          key.Binding
	Select                           key.Binding // 1-9
	Kill, Revive, Slow, Errors, Hang key.Binding
	LoadUp, LoadDown                 key.Binding
	SpeedUp, SpeedDown, Pause        key.Binding
	Freeze                           key.Binding // freeze / thaw the lab clock
	Present                          key.Binding // the presenter layout (sandbox, replay, present)
}

// DefaultKeyMap is the dashboard's bindings.
func DefaultKeyMap() *KeyMap {
	return &KeyMap{
		Next:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next panel")),
		Prev:        key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous panel")),
		Zoom:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "zoom panel")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Command:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close command bar")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		SelectLeft:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "select previous server")),
		SelectRight: key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "select next server")),
		Select:      key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "select server")),
		Kill:        key.NewBinding(key.WithKeys("k"), key.WithHelp("k", "kill selected")),
		Revive:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "revive selected")),
		Slow:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "slow +200ms / off")),
		Errors:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "errors 30% / off")),
		Hang:        key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hang / unhang")),
		LoadUp:      key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "more load")),
		LoadDown:    key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "less load")),
		SpeedUp:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "faster clock")),
		SpeedDown:   key.NewBinding(key.WithKeys("["), key.WithHelp("[", "slower clock")),
		Pause:       key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause/resume load")),
		Freeze:      key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "freeze/thaw lab time")),
		Present:     key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "presenter layout")),
	}
}

// ShortHelp is the footer's one line.
func (k *KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Command, k.Next, k.Zoom, k.Kill, k.Revive, k.LoadUp, k.Pause, k.Help, k.Quit}
}

// FullHelp is the help screen, in columns.
func (k *KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Next, k.Prev, k.Zoom, k.Back, k.Command, k.Help, k.Quit},
		{k.SelectLeft, k.SelectRight, k.Select, k.Kill, k.Revive, k.Slow, k.Errors, k.Hang},
		{k.LoadUp, k.LoadDown, k.SpeedUp, k.SpeedDown, k.Pause, k.Freeze},
	}
}

// LessonKeyMap is the lesson screens' bindings. In a lesson the
// dashboard's keys work as usual except those a lesson key takes over: `h`
// is a hint here (not hang), `r` restarts the step (not revive) and `q`
// leaves the lesson; the command bar runs any command. `?` is help, as in
// the sandbox.
type LessonKeyMap struct {
	Open                                 key.Binding // picker: open the selected lesson
	NextLesson                           key.Binding // a finished lesson: open the next one
	NextStep, SkipStep, Hint             key.Binding
	Restart, Show                        key.Binding
	Leave, ForceQuit                     key.Binding
	ProseUp, ProseDown                   key.Binding
	QuizUp, QuizDown, QuizPick, QuizLock key.Binding
}

// DefaultLessonKeyMap is the lesson screens' bindings.
func DefaultLessonKeyMap() *LessonKeyMap {
	return &LessonKeyMap{
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open lesson")),
		NextLesson: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next lesson")),
		NextStep:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next step")),
		SkipStep:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "skip step")),
		Hint:       key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hint")),
		Restart:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart step")),
		Show:       key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "show me the solution")),
		Leave:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "leave lesson")),
		ForceQuit:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		ProseUp:    key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "text: page up")),
		ProseDown:  key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "text: page down")),
		QuizUp:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "previous choice")),
		QuizDown:   key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "next choice")),
		QuizPick:   key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "choose")),
		QuizLock:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "lock in")),
	}
}
