package steps

// table is tableFocus without the focus, for the layout tests.
func (p *Profiles) table(width int) (head string, rows []string, starred bool) {
	head, rows, starred, _ = p.tableFocus(width)
	return head, rows, starred
}
